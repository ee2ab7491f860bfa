/**
 * bench lookup: GET /api/v3/files/{sha256} requests per second, Assay against a bare Fastify route
 * (bench/bare-server.ts, another process) serving the same body and headers from memory.
 * Load: wrk (C, one thread, 50 connections, 10 s per run; a Lua done() hook prints exact
 * percentiles), runs alternating between the two servers. Ratio = Assay rps / bare rps (goal >= 0.5).
 *
 *   node --import tsx bench/lookup.ts        (after npm run build; scripts/bench.sh does both)
 *   BENCH_REPEAT=3  BENCH_LOOKUP_SECONDS=10  BENCH_LOOKUP_CONNECTIONS=50  BENCH_CPU_PROF=DIR
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { api, eicar } from '../test/support/server.js';
import { cleanEnv, header, line, median, repeats, root, saveResult, startAssay, timeCommand, verdict } from './lib.js';

const SECONDS = Number(process.env.BENCH_LOOKUP_SECONDS) || 10;
const CONNECTIONS = Number(process.env.BENCH_LOOKUP_CONNECTIONS) || 50;
const RATIO_GOAL = 0.5;

interface WrkResult {
  rps: number;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
}

const LUA = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
`;

async function wrk(url: string, seconds: number, headers: Record<string, string>, lua: string): Promise<WrkResult> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--timeout', '5s', '-s', lua, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const r = await timeCommand('wrk', args, { timeoutMs: (seconds + 30) * 1000 });
  const m = /WRKJSON (\{.*\})/.exec(r.stdout);
  if (!m) throw new Error(`no result from wrk: ${r.stdout} ${r.stderr}`);
  const j = JSON.parse(m[1]!) as Record<string, number>;
  return {
    rps: (j.requests! / j.duration_us!) * 1e6,
    requests: j.requests!,
    p50: j.p50! / 1000,
    p90: j.p90! / 1000,
    p99: j.p99! / 1000,
    max: j.max! / 1000,
    errors: j.connect! + j.read! + j.write! + j.timeout!,
    non2xx: j.status!,
  };
}

async function startBare(responseFile: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'bare-server.ts'), responseFile], {
    cwd: root,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare server exited with ${code}: ${out}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const fmt = (r: WrkResult) => `${r.rps.toFixed(0)} rps, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`;

async function main(): Promise<void> {
  const reps = repeats(3);
  header('lookup', `GET /api/v3/files/{sha256}, ${CONNECTIONS} connections, ${SECONDS} s per run, ${reps} runs each, alternating (median)`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-bench-lookup-'));
  const profDir = process.env.BENCH_CPU_PROF;
  const server = await startAssay({ nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : [] });
  let bare: Awaited<ReturnType<typeof startBare>> | undefined;
  try {
    // A real report: EICAR analysed by every engine, so the body has results in it.
    const client = api(server, server.apiKey);
    const up = await client.upload(eicar(), 'eicar.com');
    if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${up.text}`);
    await client.waitForAnalysis(up.json.data.id as string, 120_000);
    const sha256 = ((await client.get(`/analyses/${encodeURIComponent(up.json.data.id as string)}`)).json.meta.file_info.sha256) as string;
    const assayUrl = `${server.url}/api/v3/files/${sha256}`;
    const res = await fetch(assayUrl, { headers: { 'x-apikey': server.apiKey } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`lookup failed: ${res.status} ${body}`);
    const headers: Record<string, string> = {};
    const hopByHop = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
    res.headers.forEach((v, k) => {
      if (!hopByHop.has(k)) headers[k] = v;
    });
    const responseFile = path.join(work, 'response.json');
    await fs.writeFile(responseFile, JSON.stringify({ headers, body }));
    bare = await startBare(responseFile);
    const check = await fetch(`${bare.url}/api/v3/files/${sha256}`);
    if ((await check.text()) !== body) throw new Error('the bare server does not answer the same body');
    line(`body      ${Buffer.byteLength(body)} bytes; headers copied: ${Object.keys(headers).join(', ')}`);

    const lua = path.join(work, 'report.lua');
    await fs.writeFile(lua, LUA);
    const auth = { 'x-apikey': server.apiKey };
    const bareUrl = `${bare.url}/api/v3/files/${sha256}`;
    // Warm-up (JIT, connection set-up), not counted.
    await wrk(assayUrl, 2, auth, lua);
    await wrk(bareUrl, 2, auth, lua);
    const assayRuns: WrkResult[] = [];
    const bareRuns: WrkResult[] = [];
    for (let i = 0; i < reps; i++) {
      const a = await wrk(assayUrl, SECONDS, auth, lua);
      const b = await wrk(bareUrl, SECONDS, auth, lua);
      for (const r of [a, b]) if (r.errors > 0 || r.non2xx > 0) throw new Error(`run ${i + 1}: ${r.errors} socket errors, ${r.non2xx} non-2xx answers`);
      assayRuns.push(a);
      bareRuns.push(b);
      line(`run ${i + 1}     assay ${fmt(a)}   |   bare ${fmt(b)}   |   ratio ${(a.rps / b.rps).toFixed(2)}`);
    }
    const mid = (runs: WrkResult[]): WrkResult => [...runs].sort((x, y) => x.rps - y.rps)[runs.length >> 1]!;
    const a = mid(assayRuns);
    const b = mid(bareRuns);
    const assayRps = median(assayRuns.map((r) => r.rps));
    const bareRps = median(bareRuns.map((r) => r.rps));
    const ratio = assayRps / bareRps;
    line(`client    wrk -t1 -c${CONNECTIONS} -d${SECONDS}s (one thread, so the load tool takes as little of the 2 cores as possible)`);
    line(`baseline  bare Fastify: median ${fmt(b)}`);
    line(`measured  Assay:        median ${fmt(a)}`);
    line(`ratio     assay rps / bare rps = ${ratio.toFixed(2)}`);
    verdict('lookup', `ratio ${ratio.toFixed(2)} (Assay ${assayRps.toFixed(0)} rps / bare ${bareRps.toFixed(0)} rps; p50 ${a.p50.toFixed(2)} vs ${b.p50.toFixed(2)} ms, p99 ${a.p99.toFixed(2)} vs ${b.p99.toFixed(2)} ms)`, ratio >= RATIO_GOAL, `>= ${RATIO_GOAL}`);
    await saveResult('lookup', { connections: CONNECTIONS, seconds: SECONDS, bodyBytes: Buffer.byteLength(body), assay: assayRuns, bare: bareRuns, ratio, ratioGoal: RATIO_GOAL, met: ratio >= RATIO_GOAL });
  } finally {
    await bare?.stop();
    await server.stop();
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
