/**
 * The processes the chaos suite breaks: a private PostgreSQL cluster and redis-server it can kill,
 * stop and start again on the same port, `assay serve` and `assay worker` processes, and the
 * supervised clamd found among the server's children.
 */
import { answersPing } from '../support/redis.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { waitForListening } from '../support/serve-process.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Polls `check` until it returns a value other than undefined/false, or throws after the deadline. */
export async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false> | T | undefined | false, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Sends a signal if the process still exists; a process that is gone is not an error here. */
export function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Direct children of `pid` whose command name is `comm`, from /proc. */
export function childrenNamed(pid: number, comm: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces; the fields after it start with state, ppid.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === pid && name === comm) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

// ---------------------------------------------------------------- PostgreSQL

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server under /usr/lib/postgresql');
  return path.join(base, versions[0]!, 'bin');
}

/**
 * A PostgreSQL cluster whose postmaster this suite can SIGKILL, SIGSTOP and start again on the same
 * port. The postmaster is our direct child (spawned as the `postgres` user), not daemonised by
 * pg_ctl: a killed daemon's zombie is never reaped where PID 1 does not reap, its pid stays "alive"
 * and PostgreSQL then refuses to start over its postmaster.pid.
 */
export class ChaosPostgres {
  readonly url: string;
  private child: ChildProcess | undefined;
  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly ids: { uid?: number; gid?: number },
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/assay`;
  }

  static async create(): Promise<ChaosPostgres> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'assay-chaos-pg-'));
    let ids: { uid?: number; gid?: number } = {};
    if (process.getuid?.() === 0) {
      ids = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      };
      chownSync(dir, ids.uid!, ids.gid!);
    }
    execFileSync(path.join(postgresBin(), 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...ids,
    });
    const db = new ChaosPostgres(dir, await freePort(), ids);
    await db.start();
    const admin = new pg.Client({ connectionString: db.url.replace(/\/assay$/, '/postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE assay');
    await admin.end();
    return db;
  }

  /**
   * Starts the postmaster (again) and waits until it accepts queries. fsync is off (the machine does
   * not crash, only processes do, and the page cache survives them); synchronous_commit stays on:
   * off, a commit is acknowledged before its WAL leaves shared memory, and a kill -9 of the cluster
   * loses it, which would be our configuration losing data, not Assay.
   */
  async start(): Promise<void> {
    const args = ['-D', path.join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
    const child = spawn(path.join(postgresBin(), 'postgres'), args, { stdio: 'ignore', ...this.ids });
    this.child = child;
    await until('PostgreSQL accepts queries', 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      const client = new pg.Client({ connectionString: this.url.replace(/\/assay$/, '/postgres') });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    });
  }

  /** The postmaster's pid while it runs. */
  pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** The postmaster and every backend: a stopped postmaster alone still lets open connections work. */
  allPids(): number[] {
    const main = this.pid();
    if (main === undefined) return [];
    return [main, ...childrenNamed(main, 'postgres')];
  }

  /** SIGKILL the postmaster and its backends, as a crash or an OOM kill of the whole service would; resolves once the postmaster is reaped. */
  async kill9(): Promise<void> {
    const child = this.child;
    const pids = this.allPids();
    if (!child || pids.length === 0) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (const pid of pids) signal(pid, 'SIGKILL');
    await exited;
  }

  stopProcesses(): void {
    for (const pid of this.allPids()) signal(pid, 'SIGSTOP');
  }

  continueProcesses(): void {
    for (const pid of this.allPids()) signal(pid, 'SIGCONT');
  }

  async close(): Promise<void> {
    this.continueProcesses();
    await this.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- Redis


/** A private redis-server (no persistence) that can be killed and started again on its port. */
export class ChaosRedis {
  private child: ChildProcess | undefined;
  readonly url: string;
  private constructor(private readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async create(): Promise<ChaosRedis> {
    const redis = new ChaosRedis(await freePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await until('redis-server answers PING', 30_000, () => answersPing(this.port));
  }

  pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  close(): void {
    signal(this.pid(), 'SIGCONT');
    signal(this.pid(), 'SIGKILL');
  }
}

// ---------------------------------------------------------------- Assay processes

export interface AssayProcess {
  readonly process: ChildProcess;
  readonly pid: number;
  output(): string;
  alive(): boolean;
  /** Set when the suite itself ends the process, so its exit is not reported as a crash. */
  expectedDown?: boolean;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

function wrap(child: ChildProcess, output: () => string): AssayProcess {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const end = async (sig: NodeJS.Signals) => {
    if (alive()) {
      child.kill('SIGCONT');
      child.kill(sig);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return { process: child, pid: child.pid!, output, alive, kill9: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

function assayArgs(command: 'serve' | 'worker', dataDir: string): string[] {
  const args = ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), command, '--data', dataDir];
  return command === 'serve' ? [...args, '--host', '127.0.0.1', '--port', '0'] : args;
}

/** The environment without the caller's ASSAY_* settings, so the suite's are all that apply. */
export function assayEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ASSAY_') || k === 'ASSAY_MAGIKA_MODEL_DIR') env[k] = v;
  return { ...env, ASSAY_LOG_LEVEL: 'warn', ASSAY_CHROMIUM: 'off', ...extra };
}

export async function startServe(dataDir: string, env: Record<string, string>): Promise<AssayProcess & { url: string }> {
  const child = spawn(process.execPath, assayArgs('serve', dataDir), { cwd: root, env: assayEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const listening = waitForListening(child, 180_000);
  const url = await listening.url;
  return { ...wrap(child, listening.output), url };
}

/** `assay worker` has no "listening" line: it is up once it logs "worker started" (at warn level it logs nothing, so info). */
export async function startWorker(dataDir: string, env: Record<string, string>): Promise<AssayProcess> {
  const child = spawn(process.execPath, assayArgs('worker', dataDir), { cwd: root, env: assayEnv({ ...env, ASSAY_LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  const proc = wrap(child, () => out);
  await until('assay worker starts', 180_000, () => {
    if (!proc.alive()) throw new Error(`assay worker exited:\n${out}`);
    return out.includes('worker started');
  }).catch(async (error) => {
    await proc.kill9();
    throw error;
  });
  return proc;
}

export const randomKey = (): string => randomBytes(32).toString('hex');
