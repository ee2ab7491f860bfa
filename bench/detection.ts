/**
 * bench detection: runs the file pipeline in process (the analyzers and engines bootstrap builds,
 * minus ClamAV (a daemon), YARA, fuzzy hashes and the hash lists, which do not bear on the heuristics) over a malware corpus and a benign corpus, and prints per
 * file type how many files at least one engine called malicious / malicious-or-suspicious, and every
 * false positive on the benign side with the engine and the signals behind it.
 *
 *   npx tsx bench/detection.ts --malware DIR [--benign DIR | --build-benign] [options]
 *     --build-benign          benign files from this system (/usr/bin, /usr/lib, /usr/share, Windows PE
 *                             files Debian packages ship: wine, mingw-w64, NSIS, EFI; documents)
 *     --max-malware N         a deterministic sample of N malware files (default: all)
 *     --max-benign N          a deterministic sample of N benign files (default: 6000 with --build-benign)
 *     --half a|b              only the files whose sha256 starts in the first (a) or second (b) half:
 *                             tune on one half, report the other (overfitting check)
 *     --concurrency N         files analysed at once (default 2)
 *     --json FILE             write every file's results there
 *   ASSAY_MAGIKA_MODEL_DIR    Magika's model (without it the type comes from libmagic alone)
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Analyzer, Engine, FileInput } from '../src/core/plugin.js';
import type { EngineResult } from '../src/core/verdict.js';
import { PluginHost } from '../src/pipeline/plugin-host.js';
import { PluginRegistry } from '../src/pipeline/plugin-registry.js';
import { FilePipeline } from '../src/pipeline/file-pipeline.js';
import { createFiletypeAnalyzer } from '../src/analyzers/filetype/filetype-analyzer.js';
import { createElfAnalyzer } from '../src/analyzers/elf/elf-analyzer.js';
import { createScriptAnalyzer } from '../src/analyzers/script/script-analyzer.js';
import { createPdfAnalyzer } from '../src/analyzers/pdf/pdf-analyzer.js';
import { createPeAnalyzer } from '../src/analyzers/pe/index.js';
import { createOfficeAnalyzer } from '../src/analyzers/office/index.js';
import { createAssayPeEngine } from '../src/engines/assay-pe/index.js';
import { createAssayElfEngine } from '../src/engines/assay-elf/index.js';
import { createAssayScriptEngine } from '../src/engines/assay-script/index.js';
import { createAssayOfficeEngine } from '../src/engines/assay-office/index.js';
import { createAssayPdfEngine } from '../src/engines/assay-pdf/index.js';
import { createAssayAndroidEngine } from '../src/engines/assay-android/index.js';
import type { Judgement } from '../src/engines/heuristics/signal.js';

const { values: args } = parseArgs({
  options: {
    malware: { type: 'string' },
    benign: { type: 'string' },
    'build-benign': { type: 'boolean', default: false },
    'max-malware': { type: 'string' },
    'max-benign': { type: 'string' },
    half: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});

const MAX_FILE_BYTES = 64 * 1024 * 1024;
const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'error' });

/** Regular files under `dir` (no symlinks followed), sorted. Bounded by `limit`. */
function walk(dir: string, out: string[], limit = 200_000, depth = 0): string[] {
  if (depth > 24 || out.length >= limit || !existsSync(dir)) return out;
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = path.join(dir, name);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, out, limit, depth + 1);
    else if (st.isFile() && st.size > 0 && st.size <= MAX_FILE_BYTES) out.push(p);
    if (out.length >= limit) break;
  }
  return out;
}

/** Every k-th item so that about n remain (deterministic, spread over the whole list). */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

/** Benign files from this system, by group, so that every kind is represented. */
function buildBenign(total: number): string[] {
  const wine = ['/usr/lib/x86_64-linux-gnu/wine', '/usr/lib/i386-linux-gnu/wine', '/usr/lib/wine'];
  const groups: Array<{ name: string; share: number; files: string[] }> = [
    { name: 'windows-pe', share: 0.3, files: [...wine, '/usr/lib/gcc/x86_64-w64-mingw32', '/usr/lib/gcc/i686-w64-mingw32', '/usr/x86_64-w64-mingw32', '/usr/i686-w64-mingw32', '/usr/share/nsis', '/usr/lib/shim', '/usr/lib/grub', '/usr/lib/ipxe', '/usr/lib/python3', '/root/.pyenv/versions'].flatMap((d) => walk(d, [])).filter((f) => /\.(?:exe|dll|efi|sys|drv|acm|ocx|cpl|tlb|EFI|bin)$/.test(f) && isPe(f)) },
    { name: 'elf', share: 0.3, files: [...walk('/usr/bin', []), ...walk('/usr/sbin', []), ...walk('/usr/lib/x86_64-linux-gnu', [], 60_000)].filter(isElf) },
    { name: 'scripts', share: 0.25, files: [...walk('/usr/share', [], 150_000), ...walk('/usr/lib/python3', []), ...walk('/usr/bin', [])].filter((f) => /\.(?:py|sh|pl|pm|rb|js|ps1|bat|cmd|vbs|lua|tcl)$/.test(f) || isScript(f)) },
    { name: 'documents', share: 0.15, files: ['/usr/share', '/usr/lib/python3', '/root/.pyenv/versions', '/usr/lib/x86_64-linux-gnu'].flatMap((d) => walk(d, [], 150_000)).filter((f) => /\.(?:pdf|docx?|xlsx?|pptx?|rtf|odt|ods|xlsm|docm|html?|xml|svg|json|txt)$/i.test(f)) },
  ];
  const picked = new Set<string>();
  for (const g of groups) {
    // ClamAV's test files are built to be detected (an executable inside a document): not benign.
    const unique = [...new Set(g.files.map((f) => safeRealpath(f)))].filter((f) => !f.includes('/clamav-testfiles/')).sort();
    const want = g.name === 'documents' ? Math.floor(total * g.share) : Math.floor(total * g.share);
    // Every office document and PDF, then other text to fill the share.
    const ordered = g.name === 'documents' ? [...unique.filter((f) => /\.(?:pdf|docx?|xlsx?|pptx?|rtf|xlsm|docm)$/i.test(f)), ...spread(unique.filter((f) => !/\.(?:pdf|docx?|xlsx?|pptx?|rtf|xlsm|docm)$/i.test(f)), want)] : spread(unique, want);
    for (const f of ordered.slice(0, Math.max(want, g.name === 'documents' ? ordered.length : 0))) picked.add(f);
    console.log(`benign ${g.name}: ${unique.length} found, ${Math.min(ordered.length, want)} taken`);
  }
  return [...picked];
}

function safeRealpath(f: string): string {
  try {
    return realpathSync(f);
  } catch {
    return f;
  }
}

function head(f: string, n: number): Buffer {
  try {
    const fd = openSync(f, 'r');
    try {
      const buf = Buffer.alloc(n);
      return buf.subarray(0, readSync(fd, buf, 0, n, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}
const isPe = (f: string) => head(f, 2).toString('latin1') === 'MZ';
const isElf = (f: string) => head(f, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
const isScript = (f: string) => head(f, 2).toString('latin1') === '#!';

async function hashes(file: string): Promise<{ md5: string; sha1: string; sha256: string; size: number }> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    md5.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), size };
}

interface FileOutcome {
  file: string;
  sha256: string;
  typeTag: string;
  results: EngineResult[];
  /** The signals each of our heuristic engines saw (whatever its verdict). */
  why: Record<string, string>;
}

async function analyseAll(files: string[], pipeline: FilePipeline, engines: readonly Engine[], label: string): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  const seen = new Set<string>();
  let next = 0;
  let done = 0;
  const concurrency = Number(args.concurrency);
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= files.length) return;
      const file = files[i]!;
      try {
        const h = await hashes(file);
        if (seen.has(h.sha256) || !inHalf(h.sha256)) continue;
        seen.add(h.sha256);
        const input: FileInput = { path: file, ...h, names: [path.basename(file)] };
        const out = await pipeline.run(input, AbortSignal.timeout(120_000));
        const typeTag = typeof out.attributes.type_tag === 'string' ? out.attributes.type_tag : 'unknown';
        const why: Record<string, string> = {};
        for (const r of out.results) {
          if (r.category === 'type-unsupported' || r.category === 'failure' || r.category === 'timeout') continue;
          const engine = engines.find((e) => e.manifest.name === r.engine_name) as (Engine & { judgeFile?: (i: FileInput, s: AbortSignal) => Promise<Judgement> }) | undefined;
          if (engine?.judgeFile) {
            const j = await engine.judgeFile({ ...input, typeTag, attributes: out.attributes }, AbortSignal.timeout(60_000));
            if (j.hits.length > 0) why[r.engine_name] = j.hits.map((h) => `${h.rule.name}(${h.rule.weight})`).join(' ');
          }
        }
        outcomes.push({ file, sha256: h.sha256, typeTag, results: out.results, why });
      } catch (err) {
        console.error(`${label}: ${file}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        done += 1;
        if (process.stderr.isTTY && done % 25 === 0) process.stderr.write(`\r${label}: ${done}/${files.length}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (process.stderr.isTTY) process.stderr.write('\n');
  return outcomes;
}

function inHalf(sha256: string): boolean {
  if (!args.half) return true;
  const first = parseInt(sha256[0]!, 16) < 8;
  return args.half === 'a' ? first : !first;
}

const flagged = (o: FileOutcome, cats: string[]) => o.results.some((r) => cats.includes(r.category));
const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)} %`);

function table(outcomes: FileOutcome[], title: string): void {
  const byType = new Map<string, FileOutcome[]>();
  for (const o of outcomes) byType.set(o.typeTag, [...(byType.get(o.typeTag) ?? []), o]);
  console.log(`\n${title}\n${'type_tag'.padEnd(14)}${'files'.padStart(7)}${'malicious'.padStart(12)}${'mal|susp'.padStart(12)}`);
  const rows = [...byType.entries()].sort((a, b) => b[1].length - a[1].length);
  for (const [type, list] of [...rows, ['ALL', outcomes] as [string, FileOutcome[]]]) {
    const m = list.filter((o) => flagged(o, ['malicious'])).length;
    const ms = list.filter((o) => flagged(o, ['malicious', 'suspicious'])).length;
    console.log(`${type.padEnd(14)}${String(list.length).padStart(7)}${pct(m, list.length).padStart(12)}${pct(ms, list.length).padStart(12)}`);
  }
}

function perEngine(outcomes: FileOutcome[]): void {
  const names = [...new Set(outcomes.flatMap((o) => o.results.map((r) => r.engine_name)))].sort();
  console.log(`\n${'engine'.padEnd(16)}${'malicious'.padStart(10)}${'suspicious'.padStart(12)}`);
  for (const n of names) {
    const rs = outcomes.flatMap((o) => o.results.filter((r) => r.engine_name === n));
    console.log(`${n.padEnd(16)}${String(rs.filter((r) => r.category === 'malicious').length).padStart(10)}${String(rs.filter((r) => r.category === 'suspicious').length).padStart(12)}`);
  }
}

/** Per signal: on how many malware and benign files it fired (its detection worth and its false-positive cost). */
function signalTable(report: Record<string, FileOutcome[]>): void {
  const counts = new Map<string, { malware: number; benign: number }>();
  for (const [corpus, outcomes] of Object.entries(report)) {
    for (const o of outcomes) {
      for (const [engine, why] of Object.entries(o.why)) {
        for (const signal of why.split(' ').filter(Boolean)) {
          const key = `${engine} ${signal.replace(/\(.*$/, '')}`;
          const c = counts.get(key) ?? { malware: 0, benign: 0 };
          c[corpus === 'malware' ? 'malware' : 'benign'] += 1;
          counts.set(key, c);
        }
      }
    }
  }
  console.log(`\n${'signal'.padEnd(44)}${'malware'.padStart(8)}${'benign'.padStart(8)}`);
  for (const [key, c] of [...counts.entries()].sort()) console.log(`${key.padEnd(44)}${String(c.malware).padStart(8)}${String(c.benign).padStart(8)}`);
}

async function main(): Promise<void> {
  if (!args.malware && !args.benign && !args['build-benign']) throw new Error('usage: --malware DIR [--benign DIR | --build-benign]');
  const magikaModelDir = process.env.ASSAY_MAGIKA_MODEL_DIR;
  const analyzers: Analyzer[] = [
    createFiletypeAnalyzer({ magikaModelDir: magikaModelDir && existsSync(magikaModelDir) ? magikaModelDir : undefined, logger }),
    createElfAnalyzer({ logger }),
    createScriptAnalyzer({ logger }),
    createPdfAnalyzer({ logger, threads: 1 }),
    createPeAnalyzer({ logger, threads: 1 }),
    createOfficeAnalyzer({ logger, threads: 1 }),
  ];
  // The engines bootstrap lists, minus ClamAV (a daemon) and YARA (the project's few rules add little here).
  const engines: Engine[] = [createAssayPeEngine(), createAssayElfEngine(), createAssayScriptEngine(), createAssayOfficeEngine(), createAssayPdfEngine(), createAssayAndroidEngine()];
  const registry = new PluginRegistry();
  for (const a of analyzers) registry.add('analyzer', a);
  for (const e of engines) registry.add('engine', e);
  const host = new PluginHost(registry, { logger });
  for (const s of await host.start()) if (!s.readiness.ready) console.log(`${s.name}: not ready (${s.readiness.detail})`);
  console.log(`analyzers: ${analyzers.map((a) => a.manifest.name).join(', ')}; engines: ${engines.map((e) => e.manifest.name).join(', ')}`);
  const pipeline = new FilePipeline({ host, logger });
  const report: Record<string, FileOutcome[]> = {};
  try {
    if (args.malware) {
      let files = walk(path.resolve(args.malware), []);
      if (args['max-malware']) files = spread(files, Number(args['max-malware']));
      const outcomes = await analyseAll(files, pipeline, engines, 'malware');
      report.malware = outcomes;
      table(outcomes, `MALWARE (${args.malware}; ${outcomes.length} distinct files${args.half ? `, half ${args.half}` : ''})`);
      perEngine(outcomes);
      const missed = outcomes.filter((o) => !flagged(o, ['malicious', 'suspicious']));
      const missedTypes = new Map<string, number>();
      for (const o of missed) missedTypes.set(o.typeTag, (missedTypes.get(o.typeTag) ?? 0) + 1);
      console.log(`\nmissed by type: ${[...missedTypes.entries()].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    }
    if (args.benign || args['build-benign']) {
      const max = Number(args['max-benign'] ?? 6000);
      const files = args.benign ? spread(walk(path.resolve(args.benign), []), max) : buildBenign(max);
      const outcomes = await analyseAll(files, pipeline, engines, 'benign');
      report.benign = outcomes;
      table(outcomes, `BENIGN (${args.benign ?? 'built from this system'}; ${outcomes.length} distinct files)`);
      const mal = outcomes.filter((o) => flagged(o, ['malicious']));
      const sus = outcomes.filter((o) => !flagged(o, ['malicious']) && flagged(o, ['suspicious']));
      console.log(`\nbenign: ${outcomes.length} files, ${mal.length} malicious (goal 0), ${sus.length} suspicious = ${pct(sus.length, outcomes.length)} (goal < 1 %)`);
      for (const o of [...mal, ...sus]) {
        const r = o.results.filter((x) => x.category === 'malicious' || x.category === 'suspicious');
        console.log(`  FP ${o.typeTag} ${o.file}: ${r.map((x) => `${x.engine_name} ${x.category} ${x.result} [${o.why[x.engine_name] ?? ''}]`).join('; ')}`);
      }
    }
    signalTable(report);
    if (args.json) await fs.writeFile(args.json, JSON.stringify(report, null, 1));
  } finally {
    await Promise.allSettled([...analyzers, ...engines].map((p) => p.close()));
  }
}

await main();
