/**
 * bench pipeline: 1,000 small mixed files analysed end to end, against the scanners run directly.
 * Baseline: clamdscan (to a clamd on the same signatures the server uses) + yara 4.2 (the
 * project's rules/yara/*.yar) over the same directory. Measured: the 1,000 files submitted over
 * HTTP (8 clients at once) until every analysis is completed. Ratio = baseline / Assay (goal >= 0.8).
 *
 *   node --import tsx bench/pipeline.ts        (after npm run build; scripts/bench.sh does both)
 *   BENCH_REPEAT=3  BENCH_PIPELINE_FILES=1000  BENCH_PIPELINE_CONCURRENCY=8
 *   BENCH_PIPELINE_WORKERS=4        ASSAY_WORKER_CONCURRENCY for the measured server (default: 4, the config default)
 *   BENCH_PIPELINE_VARIANTS=magika,no-magika,upload-only   which server set-ups to time (default: all;
 *                                   magika only when a model is found). The ratio is magika's (the full analysis),
 *                                   else no-magika's. Diagnostics, to tell where the time goes: no-magika;
 *                                   upload-only (no workers: the submissions alone). (A no-fuzzy variant hid the
 *                                   ssdeep/tlsh commands; fuzzy hashes are computed in process now.)
 *   BENCH_MAGIKA_DIR=...            the Magika model (default ../shared/magika, as scripts/test.sh)
 *   BENCH_CPU_PROF=DIR              write the server's CPU profiles there
 */
import { prng } from '../test/support/prng.js';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startClamd } from '../src/engines/clamav/clamd-supervisor.js';
import { eicar } from '../test/support/server.js';
import {
  cpuDelta,
  cpuSnapshot,
  engineLines,
  fmtMs,
  header,
  line,
  median,
  now,
  repeats,
  root,
  saveResult,
  sleep,
  startAssay,
  timeCommand,
  verdict,
  type AssayServer,
} from './lib.js';

const FILES = Number(process.env.BENCH_PIPELINE_FILES) || 1000;
const CLIENTS = Number(process.env.BENCH_PIPELINE_CONCURRENCY) || 8;
const WORKERS = process.env.BENCH_PIPELINE_WORKERS ?? '4';
const RATIO_GOAL = 0.8;
const EICAR_EVERY = 100;
const DEADLINE_MS = 20 * 60_000;

// ---------- the corpus ----------


const WORDS = 'the of and to in is for on that by this with from at as are be or an it was not can all file data service analysis report system value user error request response config module'.split(' ');
const KINDS = ['txt', 'bin', 'html', 'js', 'json', 'sh'] as const;

function words(rand: () => number, bytes: number): string {
  const out: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ');
}

function fill(kind: (typeof KINDS)[number], i: number, size: number, rand: () => number): Buffer {
  const tag = `bench file ${i}`;
  let body: string;
  switch (kind) {
    case 'bin': {
      const b = Buffer.alloc(size);
      for (let k = 0; k < size; k += 4) b.writeUInt32LE(Math.floor(rand() * 4294967296), Math.min(k, size - 4));
      b.write(`${i}`, 0);
      return b;
    }
    case 'txt':
      body = `${tag}\n${words(rand, size)}\n`;
      break;
    case 'html':
      body = `<!DOCTYPE html>\n<html><head><title>${tag}</title></head><body>\n`;
      while (body.length < size) body += `<p class="c${Math.floor(rand() * 9)}">${words(rand, 80)}</p>\n<a href="/page/${Math.floor(rand() * 1e6)}">link</a>\n`;
      body += '</body></html>\n';
      break;
    case 'js':
      body = `// ${tag}\n'use strict';\n`;
      for (let f = 0; body.length < size; f++) body += `function f${i}_${f}(a, b) {\n  const s = ${JSON.stringify(words(rand, 40))};\n  return a + b * ${Math.floor(rand() * 1000)} + s.length;\n}\nmodule.exports.f${f} = f${i}_${f};\n`;
      break;
    case 'json': {
      const items: unknown[] = [];
      let n = 0;
      while (n < size) {
        const item = { id: i * 10_000 + items.length, name: words(rand, 24), score: Math.round(rand() * 1e4) / 100, tags: [words(rand, 8), words(rand, 8)] };
        n += JSON.stringify(item).length;
        items.push(item);
      }
      body = JSON.stringify({ file: tag, items }, null, 1);
      break;
    }
    case 'sh':
      body = `#!/bin/sh\n# ${tag}\nset -e\n`;
      while (body.length < size) body += `if [ -f "/tmp/${words(rand, 8).replace(/ /g, '_')}" ]; then\n  echo "${words(rand, 30)}" >> /tmp/log.${Math.floor(rand() * 100)}\nfi\n`;
      break;
  }
  return Buffer.from(body.slice(0, Math.max(size, tag.length + 2)));
}

interface Corpus {
  dir: string;
  files: string[];
  bytes: number;
  eicars: number;
}

/** 1,000 files, 100 B – 64 KiB (log-uniform), six kinds in turn; every 100th is EICAR plus whitespace. */
async function makeCorpus(dir: string): Promise<Corpus> {
  await fs.mkdir(dir, { recursive: true });
  const rand = prng(20261128);
  const files: string[] = [];
  let bytes = 0;
  let eicars = 0;
  for (let i = 0; i < FILES; i++) {
    let content: Buffer;
    let name: string;
    if (i % EICAR_EVERY === EICAR_EVERY - 1) {
      // The standard allows trailing whitespace up to 128 bytes; a different amount keeps each unique.
      const e = eicar();
      content = Buffer.from(e + ' '.repeat(Math.max(100 - e.length, 0) + (eicars % 28)));
      name = `f${String(i).padStart(4, '0')}.com`;
      eicars += 1;
    } else {
      const kind = KINDS[i % KINDS.length]!;
      const size = Math.round(Math.exp(Math.log(100) + rand() * (Math.log(64 * 1024) - Math.log(100))));
      content = fill(kind, i, size, rand);
      name = `f${String(i).padStart(4, '0')}.${kind}`;
    }
    const file = path.join(dir, name);
    await fs.writeFile(file, content);
    files.push(file);
    bytes += content.length;
  }
  return { dir, files, bytes, eicars };
}

// ---------- baseline ----------

interface Baseline {
  clamdscanMs: number;
  clamdscanVariant: string;
  clamdscanVariants: Record<string, number[]>;
  clamavDetections: number;
  yaraMs: number;
  yaraRuns: number[];
  yaraMatches: number;
  yaraRuleFiles: string[];
  yaraRejected: Array<{ file: string; error: string }>;
  totalMs: number;
}

async function baseline(corpus: Corpus, work: string, reps: number): Promise<Baseline> {
  // clamd as the server starts it (same config writer, same database choice), but on its own.
  const supervisor = await startClamd({ workDir: path.join(work, 'clamd'), logger: pino({ level: 'warn' }) });
  const conf = path.join(work, 'clamdscan.conf');
  await fs.writeFile(conf, `LocalSocket ${supervisor.socketPath}\n`);
  const variants: Record<string, string[]> = {
    'clamdscan --multiscan --fdpass': ['--multiscan', '--fdpass'],
    'clamdscan --multiscan': ['--multiscan'],
  };
  const runs: Record<string, number[]> = {};
  let detections = 0;
  try {
    for (const [label, flags] of Object.entries(variants)) {
      const args = [`--config-file=${conf}`, ...flags, '--no-summary', '--infected', corpus.dir];
      await timeCommand('clamdscan', args, { okCodes: [0, 1] }); // warm-up
      runs[label] = [];
      for (let i = 0; i < reps; i++) {
        const r = await timeCommand('clamdscan', args, { okCodes: [0, 1] });
        runs[label]!.push(r.ms);
        detections = r.stdout.split('\n').filter((l) => l.endsWith(' FOUND')).length;
      }
    }
  } finally {
    await supervisor.stop();
  }
  const [clamdscanVariant, clamdscanMs] = Object.entries(runs)
    .map(([k, v]) => [k, median(v)] as const)
    .sort((a, b) => a[1] - b[1])[0]!;

  // yara 4.2: every rule file it accepts, each in its own namespace, in one run over the directory.
  const ruleDir = path.join(root, 'rules', 'yara');
  const ruleFiles = (await fs.readdir(ruleDir)).filter((f) => /\.(yar|yara)$/.test(f)).sort();
  const accepted: string[] = [];
  const rejected: Array<{ file: string; error: string }> = [];
  for (const f of ruleFiles) {
    try {
      await timeCommand('yara', ['-w', path.join(ruleDir, f), '/dev/null']);
      accepted.push(f);
    } catch (err) {
      rejected.push({ file: f, error: (err as Error).message.split('\n')[0]! });
    }
  }
  const yaraArgs = ['-r', '-w', ...accepted.map((f, i) => `ns${i}:${path.join(ruleDir, f)}`), corpus.dir];
  await timeCommand('yara', yaraArgs); // warm-up
  const yaraRuns: number[] = [];
  let yaraMatches = 0;
  for (let i = 0; i < reps; i++) {
    const r = await timeCommand('yara', yaraArgs);
    yaraRuns.push(r.ms);
    yaraMatches = r.stdout.split('\n').filter(Boolean).length;
  }
  const yaraMs = median(yaraRuns);
  return {
    clamdscanMs,
    clamdscanVariant,
    clamdscanVariants: runs,
    clamavDetections: detections,
    yaraMs,
    yaraRuns,
    yaraMatches,
    yaraRuleFiles: accepted,
    yaraRejected: rejected,
    totalMs: clamdscanMs + yaraMs,
  };
}

// ---------- Assay ----------

interface AssayRun {
  submitMs: number;
  totalMs: number;
  malicious: number;
  serverCpu: Array<[string, number]>;
  clientCpuMs: number;
  polls: number;
}

/** `wait` false: only the submissions are timed (a server without workers never completes them). */
async function submitAndWait(server: AssayServer, corpus: Corpus, wait = true): Promise<AssayRun> {
  const headers = { 'x-apikey': server.apiKey };
  const upload = async (file: string): Promise<string> => {
    const form = new FormData();
    form.append('file', new Blob([await fs.readFile(file)]), path.basename(file));
    const res = await fetch(`${server.url}/api/v3/files`, { method: 'POST', headers, body: form });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`upload of ${file} answered ${res.status}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { data: { id: string } }).data.id;
  };
  // Warm-up (not timed): one file through the whole pipeline, so lazy start-up costs are paid.
  const warmId = await upload(corpus.files[1]!);
  if (wait) await waitFor(server, [warmId], () => undefined, Date.now() + 120_000);

  const cpuBefore = cpuSnapshot(server.pid);
  const clientBefore = process.cpuUsage();
  const started = now();
  const ids: string[] = new Array(corpus.files.length);
  let submitted = 0;
  let next = 0;
  let submitEnd = 0;
  const submitters = Array.from({ length: CLIENTS }, async () => {
    while (next < corpus.files.length) {
      const i = next++;
      ids[i] = await upload(corpus.files[i]!);
      submitted += 1;
    }
  });
  const submitting = Promise.all(submitters).then(() => (submitEnd = now()));
  // One poller walks the analyses in submission order: a completed one costs one GET, a pending one
  // is asked again after 50 ms. Analyses finish roughly in order, so it trails the workers closely.
  let malicious = 0;
  let polls = 0;
  const deadline = Date.now() + DEADLINE_MS;
  const walking = (async () => {
    if (!wait) return;
    for (let i = 0; i < corpus.files.length; i++) {
      while (ids[i] === undefined) {
        if (Date.now() > deadline) throw new Error('deadline passed while submitting');
        await sleep(10);
      }
      polls += await waitFor(server, [ids[i]!], (stats) => (malicious += stats.malicious > 0 ? 1 : 0), deadline);
    }
  })();
  await Promise.all([submitting, walking]);
  const totalMs = now() - started;
  const client = process.cpuUsage(clientBefore);
  const serverCpu = cpuDelta(cpuBefore, cpuSnapshot(server.pid));
  void submitted;
  return { submitMs: submitEnd - started, totalMs, malicious, serverCpu, clientCpuMs: (client.user + client.system) / 1000, polls };
}

/** Polls each analysis until completed; returns the number of GETs. */
async function waitFor(server: AssayServer, ids: string[], onDone: (stats: { malicious: number }) => void, deadline: number): Promise<number> {
  let polls = 0;
  for (const id of ids) {
    for (;;) {
      polls += 1;
      const res = await fetch(`${server.url}/api/v3/analyses/${encodeURIComponent(id)}`, { headers: { 'x-apikey': server.apiKey } });
      const body = (await res.json()) as { data?: { attributes?: { status?: string; stats?: { malicious: number } } } };
      if (res.status === 200 && body.data?.attributes?.status === 'completed') {
        onDone(body.data.attributes.stats ?? { malicious: 0 });
        break;
      }
      if (Date.now() > deadline) throw new Error(`analysis ${id} not completed by the deadline: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      await sleep(50);
    }
  }
  return polls;
}

function magikaDir(): string | undefined {
  const candidates = [process.env.BENCH_MAGIKA_DIR, path.join(root, '..', 'shared', 'magika'), '/work/shared/magika'].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(path.join(d, 'model.onnx')));
}

async function main(): Promise<void> {
  const reps = repeats(3);
  header('pipeline', `${FILES} small files: clamdscan + yara vs Assay end to end (${reps} repetitions, median)`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-bench-pipeline-'));
  try {
    const corpus = await makeCorpus(path.join(work, 'corpus'));
    line(`corpus    ${corpus.files.length} files, ${(corpus.bytes / 1024 / 1024).toFixed(1)} MB (mean ${(corpus.bytes / corpus.files.length / 1024).toFixed(1)} KiB; ${KINDS.join(', ')}; ${corpus.eicars} EICAR)`);

    const base = await baseline(corpus, work, reps);
    for (const r of base.yaraRejected) line(`  yara 4.2 rejected ${r.file}: ${r.error} (left out of the baseline)`);
    for (const [k, v] of Object.entries(base.clamdscanVariants)) line(`baseline  ${k}: median ${fmtMs(median(v))}  (${v.map(fmtMs).join(', ')})`);
    line(`baseline  yara -r (${base.yaraRuleFiles.length} rule files, one run): median ${fmtMs(base.yaraMs)}  (${base.yaraRuns.map(fmtMs).join(', ')}); ${base.yaraMatches} matches`);
    line(`baseline  total = ${base.clamdscanVariant} ${fmtMs(base.clamdscanMs)} + yara ${fmtMs(base.yaraMs)} = ${fmtMs(base.totalMs)}  (${(base.totalMs / FILES).toFixed(2)} ms/file); ClamAV found ${base.clamavDetections}`);

    const model = magikaDir();
    const wanted = (process.env.BENCH_PIPELINE_VARIANTS ?? (model ? 'magika,no-magika,upload-only' : 'no-magika,upload-only')).split(',').map((s) => s.trim());
    const profDir = process.env.BENCH_CPU_PROF;
    const results: Record<string, AssayRun[]> = {};
    for (const variant of wanted) {
      if (variant === 'magika' && !model) {
        line(`  variant magika skipped: no Magika model found (set BENCH_MAGIKA_DIR)`);
        continue;
      }
      const uploadOnly = variant === 'upload-only';
      const env: Record<string, string> = { ASSAY_WORKER_CONCURRENCY: uploadOnly ? '0' : WORKERS };
      if (variant === 'magika') env.ASSAY_MAGIKA_MODEL_DIR = model!;
      results[variant] = [];
      for (let i = 0; i < reps; i++) {
        const server = await startAssay({ env, nodeArgs: profDir && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir, variant)}`] : [] });
        try {
          if (i === 0) line(`assay     [${variant}] ASSAY_WORKER_CONCURRENCY=${env.ASSAY_WORKER_CONCURRENCY}, ${CLIENTS} uploads in flight; ${engineLines(server).join('; ')}`);
          const run = await submitAndWait(server, corpus, !uploadOnly);
          results[variant]!.push(run);
          if (!uploadOnly && run.malicious !== corpus.eicars) line(`  warning: ${run.malicious} analyses malicious, expected ${corpus.eicars} (the EICAR files): are the engines ready?`);
          if (uploadOnly) line(`assay     [${variant}] run ${i + 1}: ${corpus.files.length} submissions acknowledged in ${fmtMs(run.submitMs)}`);
          else line(`assay     [${variant}] run ${i + 1}: all completed in ${fmtMs(run.totalMs)} (submissions acknowledged after ${fmtMs(run.submitMs)}); ${run.malicious} malicious; ${run.polls} polls`);
        } finally {
          await server.stop();
        }
      }
    }

    const summary: Record<string, unknown> = {};
    let headline: { variant: string; ms: number } | undefined;
    for (const [variant, runs] of Object.entries(results)) {
      if (runs.length === 0) continue;
      const total = median(runs.map((r) => r.totalMs));
      const ratio = base.totalMs / total;
      const uploadOnly = variant === 'upload-only';
      // CPU breakdown of the median run.
      const mid = [...runs].sort((a, b) => a.totalMs - b.totalMs)[runs.length >> 1]!;
      const cpuTotal = mid.serverCpu.reduce((s, [, v]) => s + v, 0);
      if (uploadOnly) line(`assay     [${variant}] median ${fmtMs(total)} = ${(total / FILES).toFixed(1)} ms/upload wall (${CLIENTS} clients, no analysis); not a ratio`);
      else line(`assay     [${variant}] median ${fmtMs(total)} = ${(total / FILES).toFixed(1)} ms/file wall; submit phase median ${fmtMs(median(runs.map((r) => r.submitMs)))}; ratio ${ratio.toFixed(3)}`);
      line(`          CPU in the median run: server tree ${cpuTotal.toFixed(1)} s (${((cpuTotal * 1000) / FILES).toFixed(1)} ms/file), bench client ${(mid.clientCpuMs / 1000).toFixed(1)} s:`);
      for (const [name, sec] of mid.serverCpu) line(`            ${sec.toFixed(2).padStart(7)} s  ${((sec * 1000) / FILES).toFixed(2).padStart(6)} ms/file  ${name}`);
      summary[variant] = {
        totalMs: runs.map((r) => r.totalMs),
        submitMs: runs.map((r) => r.submitMs),
        malicious: runs.map((r) => r.malicious),
        ...(uploadOnly ? {} : { ratio }),
        cpuOfMedianRun: mid.serverCpu,
        clientCpuMs: mid.clientCpuMs,
      };
      if (!uploadOnly && (!headline || variant === 'magika')) headline = { variant, ms: total };
    }
    if (!headline) throw new Error('no Assay variant ran');
    const ratio = base.totalMs / headline.ms;
    verdict(
      'pipeline',
      `ratio ${ratio.toFixed(3)} [${headline.variant}, ${WORKERS} workers] (clamdscan+yara ${fmtMs(base.totalMs)} / Assay ${fmtMs(headline.ms)}; ${(base.totalMs / FILES).toFixed(2)} vs ${(headline.ms / FILES).toFixed(1)} ms/file)`,
      ratio >= RATIO_GOAL,
      `>= ${RATIO_GOAL}`,
    );
    await saveResult('pipeline', {
      files: FILES,
      bytes: corpus.bytes,
      clients: CLIENTS,
      workers: Number(WORKERS),
      baseline: base,
      assay: summary,
      headline: headline.variant,
      ratio,
      ratioGoal: RATIO_GOAL,
      met: ratio >= RATIO_GOAL,
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
