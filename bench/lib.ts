/**
 * Shared by the benchmarks: starting the compiled server (dist/, as users run it) on a fresh data
 * directory, process CPU and memory sampling from /proc, medians, and the result printout.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { waitForListening } from '../test/support/serve-process.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MB = 1024 * 1024;

/**
 * Where bin/assay.js and dist/ are taken from: scripts/bench.sh points BENCH_APP_DIR at a snapshot
 * of the fresh build (so a concurrent rebuild cannot change the server under test); else the checkout.
 */
export function appDir(): string {
  return process.env.BENCH_APP_DIR ? path.resolve(process.env.BENCH_APP_DIR) : root;
}

/** A running `node bin/assay.js serve`. */
export interface AssayServer {
  url: string;
  apiKey: string;
  dataDir: string;
  pid: number;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** ASSAY_* settings; every other ASSAY_* variable of the caller's environment is dropped. */
  env?: Record<string, string>;
  /** Flags for node before bin/assay.js, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Where the temp data directory goes; removed on stop unless keepData. */
  keepData?: boolean;
}

/** The environment without ASSAY_* variables, so what the bench sets is all that applies. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ASSAY_')) env[k] = v;
  return { ...env, ...extra };
}

/** Starts the compiled server (run `npm run build` first) and waits for "listening on". */
export async function startAssay(options: StartOptions = {}): Promise<AssayServer> {
  const app = appDir();
  const entry = path.join(app, 'dist', 'cli', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first (scripts/bench.sh does)`);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-bench-'));
  const apiKey = randomBytes(32).toString('hex');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(app, 'bin', 'assay.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir], {
    cwd: app,
    env: cleanEnv({ ASSAY_LOG_LEVEL: 'warn', ...options.env, ASSAY_BOOTSTRAP_API_KEY: apiKey }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listening = waitForListening(child, 120_000);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await listening.url;
  const out = listening.output();
  const notReady = out.split('\n').filter((l) => l.includes('NOT READY'));
  if (notReady.length > 0) process.stdout.write(`  warning: ${notReady.map((l) => l.trim()).join('; ')}\n`);
  return {
    url,
    apiKey,
    dataDir,
    pid: child.pid!,
    process: child,
    output: listening.output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (!options.keepData) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Lines of the server's engine table ("ready engine ClamAV ..."), for the printout. */
export function engineLines(server: AssayServer): string[] {
  return server
    .output()
    .split('\n')
    .filter((l) => /^\s+(ready|NOT READY)\s/.test(l))
    .map((l) => l.trim().replace(/\s+/g, ' '));
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command, resolving with its wall time in ms and its output; rejects on a non-zero exit unless allowed. */
export function timeCommand(
  command: string,
  args: string[],
  options: { okCodes?: number[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ ms: number; stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const ms = now() - started;
      if (!(options.okCodes ?? [0]).includes(code ?? -1)) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 2000)}`));
      else resolve({ ms, stdout, stderr, code: code ?? -1 });
    });
  });
}

/** VmRSS of a process in bytes, or undefined once it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples VmRSS every `everyMs` until stopped; reports the first sample and the peak. */
export function sampleRss(pid: number, everyMs = 20): { stop(): { before: number; peak: number; samples: number } } {
  const before = rssBytes(pid) ?? 0;
  let peak = before;
  let samples = 1;
  const timer = setInterval(() => {
    const v = rssBytes(pid);
    if (v !== undefined) {
      samples += 1;
      if (v > peak) peak = v;
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const v = rssBytes(pid);
      if (v !== undefined && v > peak) peak = v;
      return { before, peak, samples };
    },
  };
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface ProcCpu {
  comm: string;
  /** utime + stime of the process (all its threads), seconds. */
  self: number;
  /** cutime + cstime: its reaped children, seconds. */
  children: number;
}

function readProcCpu(pid: number): ProcCpu | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // Fields after "(comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14 (proc(5), 1-based 14..17).
    return { comm, self: (Number(f[11]) + Number(f[12])) / CLK_TCK, children: (Number(f[13]) + Number(f[14])) / CLK_TCK };
  } catch {
    return undefined;
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) {
          out.push(Number(c));
          stack.push(Number(c));
        }
      } catch {
        // the thread ended
      }
    }
  }
  return out;
}

/** CPU seconds of a process tree, by command name; short-lived children appear in "reaped children". */
export type CpuSnapshot = Map<string, number>;

export function cpuSnapshot(rootPid: number, rootLabel = 'server (node, all threads)'): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  const add = (k: string, v: number) => snap.set(k, (snap.get(k) ?? 0) + v);
  const r = readProcCpu(rootPid);
  if (r) {
    add(rootLabel, r.self);
    add('reaped children of the server (ssdeep, tlsh, ...)', r.children);
  }
  for (const pid of descendants(rootPid)) {
    const p = readProcCpu(pid);
    // A live child's own reaped children are counted under it.
    if (p) add(`${p.comm} (live child)`, p.self + p.children);
  }
  return snap;
}

/** after − before, by name; live children started during the run count from zero. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): Array<[string, number]> {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].map((n) => [n, (after.get(n) ?? 0) - (before.get(n) ?? 0)] as [string, number]).filter(([, v]) => v > 0.005).sort((a, b) => b[1] - a[1]);
}

/** What the server under test was built from: scripts/bench.sh says; else the checkout's state. */
function builtFrom(): string {
  if (process.env.BENCH_BUILT_FROM) return process.env.BENCH_BUILT_FROM;
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src'], { cwd: root }).toString().trim();
    return `work tree at ${rev}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function machine(): { nproc: number; loadavg: string; cpu: string; node: string; git: string } {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  return { nproc: os.availableParallelism(), loadavg: os.loadavg().map((l) => l.toFixed(2)).join(' '), cpu, node: process.version, git: builtFrom() };
}

export function header(name: string, what: string): void {
  const m = machine();
  process.stdout.write(`\n=== bench ${name}: ${what}\n`);
  process.stdout.write(`    ${new Date().toISOString()}  nproc=${m.nproc}  load=${m.loadavg}  node ${m.node}  ${m.cpu}\n`);
  process.stdout.write(`    server: ${path.relative(process.cwd(), path.join(appDir(), 'bin', 'assay.js')) || 'bin/assay.js'} (compiled dist/), built from ${m.git}\n`);
}

export const line = (s = ''): void => void process.stdout.write(`${s}\n`);

export const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
export const fmtMB = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

/** The one-line verdict every bench ends with. */
export function verdict(name: string, figure: string, met: boolean, goal: string): void {
  line(`VERDICT ${name}: ${figure} — goal ${goal}: ${met ? 'MET' : 'NOT MET'}`);
}

/** Results also go to .tmp/bench/<name>.json (git-ignored) for docs/benchmarks.md. */
export async function saveResult(name: string, result: unknown): Promise<void> {
  const dir = path.join(root, '.tmp', 'bench');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${name}.json`), JSON.stringify({ date: new Date().toISOString(), machine: machine(), ...(result as object) }, null, 2));
}

/** Repetitions, from BENCH_REPEAT (default given per bench). */
export function repeats(fallback: number): number {
  const n = Number(process.env.BENCH_REPEAT);
  return Number.isInteger(n) && n > 0 && n <= 20 ? n : fallback;
}
