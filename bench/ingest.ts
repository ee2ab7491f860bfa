/**
 * bench ingest: a 200 MB upload through the large-file upload URL, against `sha256sum` of the same
 * file. Ratio = sha256sum time / upload time (goal >= 1.0); server RSS growth during the upload
 * (goal < 64 MB). The client is curl (C, 64 KiB reads, no JS on the client side): of the clients
 * at hand it costs the least CPU on a two-core machine that it shares with the server.
 *
 *   node --import tsx bench/ingest.ts        (after npm run build; scripts/bench.sh does both)
 *   BENCH_REPEAT=5 BENCH_INGEST_MB=200 BENCH_CPU_PROF=/tmp/prof  (optional)
 */
import { randomFillSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cpuSnapshot, fmtMB, fmtMs, header, line, MB, median, repeats, sampleRss, saveResult, startAssay, timeCommand, verdict } from './lib.js';

const SIZE_MB = Number(process.env.BENCH_INGEST_MB) || 200;
const RSS_GOAL_MB = 64;
const RATIO_GOAL = 1.0;

async function makeRandomFile(file: string, bytes: number): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    const chunk = Buffer.allocUnsafe(8 * MB);
    for (let done = 0; done < bytes; ) {
      const n = Math.min(chunk.length, bytes - done);
      randomFillSync(chunk, 0, n);
      await handle.write(chunk, 0, n, done);
      done += n;
    }
  } finally {
    await handle.close();
  }
}

/** Makes each repetition's content new (so no upload is a duplicate) without leaving the page cache. */
async function mark(file: string, rep: number): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.write(Buffer.from(`assay-bench-ingest-${rep}-${Date.now()}`.padEnd(48, '.')), 0, 48, 0);
  } finally {
    await handle.close();
  }
}

interface CurlResult {
  wallMs: number;
  curlMs: number;
  status: number;
  body: string;
}

/** curl -F file=@..., with "Expect:" emptied so no 100-continue round trip is in the figure. */
async function curlUpload(url: string, file: string, headers: string[], bodyFile: string): Promise<CurlResult> {
  const args = ['-sS', '-o', bodyFile, '-w', '%{http_code} %{time_total}', '-H', 'Expect:', ...headers.flatMap((h) => ['-H', h]), '-F', `file=@${file};filename=bench.bin`, url];
  const r = await timeCommand('curl', args, { timeoutMs: 300_000 });
  const [code, total] = r.stdout.trim().split(' ');
  return { wallMs: r.ms, curlMs: Number(total) * 1000, status: Number(code), body: await fs.readFile(bodyFile, 'utf8').catch(() => '') };
}

/** A server that only drains the body: what the transport and curl alone cost on this machine. */
async function startSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sink`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<void> {
  const reps = repeats(5);
  header('ingest', `${SIZE_MB} MB upload vs sha256sum (${reps} repetitions, median)`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-bench-ingest-'));
  const file = path.join(work, 'random.bin');
  const bodyFile = path.join(work, 'response.json');
  const bytes = SIZE_MB * MB;
  await makeRandomFile(file, bytes);

  // Baseline: sha256sum over the same (page-cached) file; one warm-up run first.
  await timeCommand('sha256sum', [file]);
  const shaMs: number[] = [];
  for (let i = 0; i < reps; i++) shaMs.push((await timeCommand('sha256sum', [file])).ms);
  // Context only: a plain copy with fsync (the server fsyncs the blob before answering 200), first
  // keeping every copy, as the server keeps every blob (each lands on page-cache pages not used
  // before, which is slow on a VM), then deleting each (its pages are reused by the next).
  const ddNewMs: number[] = [];
  const ddReuseMs: number[] = [];
  const dd = (target: string) => timeCommand('dd', [`if=${file}`, `of=${target}`, 'bs=1M', 'conv=fsync', 'status=none']).then((r) => r.ms);
  for (let i = 0; i < Math.min(reps, 3); i++) ddNewMs.push(await dd(path.join(work, `copy${i}.bin`)));
  for (let i = 0; i < Math.min(reps, 3); i++) await fs.rm(path.join(work, `copy${i}.bin`), { force: true });
  for (let i = 0; i < Math.min(reps, 3); i++) {
    ddReuseMs.push(await dd(path.join(work, 'copy.bin')));
    await fs.rm(path.join(work, 'copy.bin'), { force: true });
  }
  // Context only: curl into a server that drains the body and does nothing else.
  const sink = await startSink();
  const sinkMs: number[] = [];
  for (let i = 0; i < Math.min(reps, 3); i++) sinkMs.push((await curlUpload(sink.url, file, [], bodyFile)).wallMs);
  await sink.close();

  const profDir = process.env.BENCH_CPU_PROF;
  if (profDir) await fs.mkdir(profDir, { recursive: true });
  const server = await startAssay({
    env: { ASSAY_WORKER_CONCURRENCY: '0' },
    nodeArgs: profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : [],
  });
  const uploads: Array<CurlResult & { rssBefore: number; rssPeak: number; samples: number; serverCpuS: number }> = [];
  const serverCpu = (pid: number) => cpuSnapshot(pid).get('server (node, all threads)') ?? 0;
  try {
    const auth = `x-apikey: ${server.apiKey}`;
    // A small upload first, so the hash workers and the multipart path are warm (not timed).
    const warm = await fetch(`${server.url}/api/v3/files`, { method: 'POST', headers: { 'x-apikey': server.apiKey }, body: warmForm() });
    if (warm.status !== 200) throw new Error(`warm-up upload failed: ${warm.status} ${await warm.text()}`);
    for (let i = 0; i < reps; i++) {
      await mark(file, i);
      const u = await fetch(`${server.url}/api/v3/files/upload_url`, { headers: { 'x-apikey': server.apiKey } });
      const uploadUrl = ((await u.json()) as { data: string }).data;
      const cpu0 = serverCpu(server.pid);
      const rss = sampleRss(server.pid, 20);
      const r = await curlUpload(uploadUrl, file, [auth], bodyFile);
      const m = rss.stop();
      const serverCpuS = serverCpu(server.pid) - cpu0;
      if (r.status !== 200 || !r.body.includes('"analysis"')) throw new Error(`upload ${i} answered ${r.status}: ${r.body.slice(0, 500)}`);
      uploads.push({ ...r, rssBefore: m.before, rssPeak: m.peak, samples: m.samples, serverCpuS });
    }
  } finally {
    await server.stop();
    await fs.rm(work, { recursive: true, force: true });
  }

  const sha = median(shaMs);
  const up = median(uploads.map((u) => u.wallMs));
  const ratio = sha / up;
  const growth = uploads.map((u) => u.rssPeak - u.rssBefore);
  const worstGrowth = Math.max(...growth);
  line('server: ASSAY_WORKER_CONCURRENCY=0 (no analysis competes with ingest); client: curl -F, Expect: disabled');
  line(`baseline  sha256sum ${SIZE_MB} MB: median ${fmtMs(sha)}  (${shaMs.map(fmtMs).join(', ')})  = ${(bytes / MB / (sha / 1000)).toFixed(0)} MB/s`);
  line(`measured  upload    ${SIZE_MB} MB: median ${fmtMs(up)}  (${uploads.map((u) => fmtMs(u.wallMs)).join(', ')})  = ${(bytes / MB / (up / 1000)).toFixed(0)} MB/s; curl time_total median ${fmtMs(median(uploads.map((u) => u.curlMs)))}`);
  line(`context   curl into a draining sink: median ${fmtMs(median(sinkMs))}; dd copy + fsync: median ${fmtMs(median(ddNewMs))} keeping the copies, ${fmtMs(median(ddReuseMs))} deleting each`);
  line(`cpu       server CPU per upload (all threads, /proc): median ${median(uploads.map((u) => u.serverCpuS)).toFixed(2)} s (${uploads.map((u) => u.serverCpuS.toFixed(2)).join(', ')})`);
  line(`memory    server RSS growth (peak − before, 20 ms samples): ${growth.map(fmtMB).join(', ')}; before ${fmtMB(uploads[0]!.rssBefore)}`);
  line(`ratio     sha256sum / upload = ${ratio.toFixed(2)}`);
  if (profDir) line(`profile   server CPU profiles in ${profDir}`);
  verdict('ingest', `ratio ${ratio.toFixed(2)} (sha256sum ${fmtMs(sha)} / upload ${fmtMs(up)})`, ratio >= RATIO_GOAL, `>= ${RATIO_GOAL.toFixed(1)}`);
  verdict('ingest-memory', `RSS growth ${fmtMB(worstGrowth)} (worst of ${reps})`, worstGrowth < RSS_GOAL_MB * MB, `< ${RSS_GOAL_MB} MB`);
  await saveResult('ingest', {
    sizeMB: SIZE_MB,
    client: 'curl -F',
    workerConcurrency: 0,
    sha256sumMs: shaMs,
    uploadMs: uploads.map((u) => u.wallMs),
    curlTimeTotalMs: uploads.map((u) => u.curlMs),
    sinkMs,
    ddFsyncKeptMs: ddNewMs,
    ddFsyncReusedMs: ddReuseMs,
    serverCpuS: uploads.map((u) => u.serverCpuS),
    rssGrowthBytes: growth,
    rssBeforeBytes: uploads.map((u) => u.rssBefore),
    ratio,
    ratioGoal: RATIO_GOAL,
    rssGoalBytes: RSS_GOAL_MB * MB,
    ratioMet: ratio >= RATIO_GOAL,
    rssMet: worstGrowth < RSS_GOAL_MB * MB,
  });
}

function warmForm(): FormData {
  const form = new FormData();
  form.append('file', new Blob([`warm-up ${Date.now()}\n`]), 'warm.txt');
  return form;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
