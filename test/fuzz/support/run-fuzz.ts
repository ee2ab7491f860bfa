/**
 * Registers one node:test test per fuzz target. Each runs in its own worker thread (bounded heap)
 * under a watchdog: a target that has not moved to its next input for FUZZ_WATCHDOG_MS (60 s) is
 * a true hang, and is stopped and reported with the input it was stuck on. Nothing here times the
 * parsers; a loaded machine only makes a run slower.
 *
 * FUZZ_RUNS sets the random runs per target (default: the target's short form), FUZZ_SEED the
 * fast-check seed (a number, or `random`; default a constant, so `npm test` is repeatable).
 * A failing input is written to test/fuzz/crashes/<target>/ (not committed); once the parser is
 * fixed it moves to test/fuzz/seeds/<target>/, which every run replays first.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FuzzJob, FuzzMessage } from './fuzz-worker.js';

const FUZZ_DIR = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_SEED = 0x5eed_f022;
const WATCHDOG_MS = Number(process.env.FUZZ_WATCHDOG_MS ?? 60_000);
/** Every target's heap together with its inputs fits well inside this; past it the run fails as a memory blow-up. */
const HEAP_MB = 1024;

function fuzzSeed(): number {
  const value = process.env.FUZZ_SEED;
  if (value === undefined || value === '') return DEFAULT_SEED;
  if (value === 'random') return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer or "random", not ${value}`);
  return n;
}

function fuzzRuns(): number | undefined {
  const value = process.env.FUZZ_RUNS;
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`FUZZ_RUNS must be a count, not ${value}`);
  return n;
}

/** Regression seeds: `*.hex` or `*.b64` files (whitespace ignored), replayed in name order. */
export function readSeeds(target: string): Array<{ name: string; bytes: Uint8Array }> {
  const dir = path.join(FUZZ_DIR, 'seeds', target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.hex') || name.endsWith('.b64'))
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(dir, name), 'utf8').replace(/\s+/g, '');
      return { name, bytes: new Uint8Array(Buffer.from(text, name.endsWith('.hex') ? 'hex' : 'base64')) };
    });
}

function keepCrash(target: string, bytes: Uint8Array | undefined): string {
  if (!bytes) return '(no input)';
  const buf = Buffer.from(bytes);
  const dir = path.join(FUZZ_DIR, 'crashes', target);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${createHash('sha256').update(buf).digest('hex').slice(0, 16)}.b64`);
  writeFileSync(file, `${buf.toString('base64')}\n`);
  return `${path.relative(process.cwd(), file)} (${buf.length} bytes)`;
}

function runTarget(module: URL, target: string): Promise<string> {
  const job: FuzzJob = { module: module.href, target, seeds: readSeeds(target), runs: fuzzRuns(), seed: fuzzSeed() };
  // Node 20 does not apply the parent's `--import tsx` to a worker's entry (privatenumber/tsx#354): register it first.
  const entry = new URL('./fuzz-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB },
  });
  let current: FuzzMessage & { kind: 'input' } = { kind: 'input', bytes: new Uint8Array(), from: 'setup' };
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const finish = (error?: Error, summary?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      void worker.terminate();
      if (error) reject(error);
      else resolve(summary!);
    };
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        const saved = keepCrash(target, current.bytes);
        finish(new Error(`${target}: no answer for ${WATCHDOG_MS / 1000} s on an input from ${current.from} (a hang); input kept in ${saved}`));
      }, WATCHDOG_MS);
    };
    arm();
    worker.on('message', (message: FuzzMessage) => {
      arm();
      if (message.kind === 'input') current = message;
      else if (message.kind === 'passed') finish(undefined, `${target}: ${message.seeds} regression seeds and ${message.runs} random runs passed (seed ${job.seed})`);
      else {
        const saved = keepCrash(target, message.bytes);
        finish(new Error(`${target}: property failed on an input from ${message.from}; input kept in ${saved}\n${message.message}`));
      }
    });
    worker.on('error', (error) => {
      const saved = keepCrash(target, current.bytes);
      finish(new Error(`${target}: worker died (${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}) on an input from ${current.from}; input kept in ${saved}`));
    });
    worker.on('exit', (code) => finish(new Error(`${target}: worker exited (${code}) before finishing`)));
  });
}

/** One test per target exported as `targets[name]` by `module` (a URL beside the caller). */
export function fuzzSuite(module: URL, names: readonly string[]): void {
  for (const name of names) {
    test(`fuzz ${name}`, async (t) => {
      t.diagnostic(await runTarget(module, name));
    });
  }
}
