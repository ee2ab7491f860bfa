/** Runs a private clamd: writes its config, picks the signature databases, starts it, and restarts it when it fails to start, dies or hangs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { bundledClamavSignaturesDir } from '../package-root.js';
import { ClamdClient } from './clamd-client.js';

const MiB = 1024 * 1024;

/** Largest file our clamd is configured for unless told otherwise (StreamMaxLength, MaxFileSize). */
export const CLAMD_STREAM_MAX_BYTES = 200 * MiB;
/** ClamAV cannot scan a file of 2 GiB or more (clamd.conf(5), MaxFileSize). */
export const CLAMD_MAX_FILE_LIMIT_BYTES = 2000 * MiB;

export const SYSTEM_DATABASE_DIR = '/var/lib/clamav';

/** Extensions clamd loads from a database directory (sigtool(1), "signatures" in the ClamAV docs). */
const DATABASE_FILE = /\.(cvd|cld|cud|hdb|hsb|hdu|hsu|mdb|msb|mdu|msu|ndb|ndu|ldb|ldu|idb|cdb|ign|ign2|fp|sfp|pdb|gdb|wdb|cbc|ftm|crb|yar|yara|cat|crt|info|cfg)$/;

/** How quickly a failed or dead clamd is started again; tests make these short. */
export type ClamdSupervisionTimings = Pick<ClamdSupervisorOptions, 'restartMinMs' | 'restartMaxMs' | 'livenessIntervalMs' | 'pingTimeoutMs' | 'tempMaxAgeMs'>;

export interface ClamdSupervisorOptions {
  /** Holds clamd.conf, the socket (when the path is short enough) and clamd's temporary files. */
  workDir: string;
  /** Custom signature directories, first one holding a database file wins; default: Assay's bundled ones. */
  signatureDirs?: string[];
  /** Use the system databases when they hold official main/daily files (default true). */
  preferSystemSignatures?: boolean;
  /** Default /var/lib/clamav. */
  systemDatabaseDir?: string;
  /** Default: the first clamd found by findClamdBinary(). */
  clamdBinary?: string;
  /** Largest file clamd scans whole (StreamMaxLength, MaxFileSize; MaxScanSize twice that); default 200 MiB, at most 2000 MiB. */
  maxFileBytes?: number;
  /** How long clamd may take to answer PING after a start; official databases take tens of seconds. */
  startTimeoutMs?: number;
  /** First delay before starting clamd again after a failed start or an exit (default 250 ms); it doubles on each failure. */
  restartMinMs?: number;
  /** Longest delay between two start attempts (default 30 s). */
  restartMaxMs?: number;
  /** How often a running clamd is sent zPING (default 10 s); two unanswered in a row mean it hangs and is killed. */
  livenessIntervalMs?: number;
  /**
   * Files in clamd's temporary directory older than this are removed while it runs (default 60 s, a
   * scan deadline): a scan killed midway leaves the sample's bytes there. It is emptied at each start.
   */
  tempMaxAgeMs?: number;
  /** How long one liveness PING may take (default 5 s); clamd answers PING without waiting for busy scan threads. */
  pingTimeoutMs?: number;
  logger: Logger;
}

export interface ClamdSupervisor {
  readonly socketPath: string;
  readonly databaseDir: string;
  readonly usingSystemSignatures: boolean;
  /** The running clamd's pid; undefined while it is being restarted. */
  readonly pid: number | undefined;
  readonly restarts: number;
  running(): boolean;
  /** Why clamd is not serving (starting, restarting, failed to start), or undefined while it is. */
  downReason(): string | undefined;
  /** Probes clamd now (e.g. after a scan ran past its deadline); a hung clamd is killed and restarted. */
  checkLiveness(): void;
  stop(): Promise<void>;
}

/** Finds clamd on PATH or in the sbin directories, which are not on a normal user's PATH. */
export function findClamdBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'clamd');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** True when the directory holds official databases (main and daily, .cvd or .cld), as freshclam leaves them. */
export function hasOfficialDatabases(dir: string): boolean {
  const names = listDir(dir);
  return ['main', 'daily'].every((db) => names.includes(`${db}.cvd`) || names.includes(`${db}.cld`));
}

export function chooseDatabaseDir(options: Pick<ClamdSupervisorOptions, 'signatureDirs' | 'preferSystemSignatures' | 'systemDatabaseDir'>): {
  dir: string;
  system: boolean;
} {
  const systemDir = options.systemDatabaseDir ?? SYSTEM_DATABASE_DIR;
  if ((options.preferSystemSignatures ?? true) && hasOfficialDatabases(systemDir)) return { dir: systemDir, system: true };
  const candidates = options.signatureDirs ?? [bundledClamavSignaturesDir()];
  const dir = candidates.find((d) => listDir(d).some((name) => DATABASE_FILE.test(name)));
  // clamd refuses to start on a directory without database files, so fail here with a clearer message.
  if (!dir) throw new Error(`no ClamAV database files in ${[systemDir, ...candidates].join(', ')}`);
  return { dir, system: false };
}

export function renderClamdConf(o: { databaseDir: string; socketPath: string; tempDir: string; maxFileBytes?: number }): string {
  const maxFile = Math.min(o.maxFileBytes ?? CLAMD_STREAM_MAX_BYTES, CLAMD_MAX_FILE_LIMIT_BYTES);
  const mb = (bytes: number) => `${Math.ceil(bytes / MiB)}M`;
  return [
    '# Written by Assay on every start (src/engines/clamav/clamd-supervisor.ts); edits are lost.',
    `DatabaseDirectory ${o.databaseDir}`,
    `LocalSocket ${o.socketPath}`,
    'LocalSocketMode 660',
    'FixStaleSocket yes',
    // No TCPSocket: only this host's processes with access to workDir can scan.
    // No User: clamd can only switch users as root, and then could not read workDir.
    'Foreground yes',
    `TemporaryDirectory ${o.tempDir}`,
    // Files up to the upload limit are scanned whole; beyond MaxFileSize clamd would skip them silently.
    `StreamMaxLength ${mb(maxFile)}`,
    `MaxFileSize ${mb(maxFile)}`,
    `MaxScanSize ${mb(2 * maxFile)}`,
    // Only Assay sends paths (zSCAN), and a blob store may hand out a link to the sample.
    'FollowFileSymlinks yes',
    'MaxThreads 4',
    '',
  ].join('\n');
}

/**
 * Starts clamd and resolves once it answers PING. Rejects (with clamd's last output lines) when the
 * first start fails, after stopping the supervision; superviseClamd() keeps trying instead.
 */
export async function startClamd(options: ClamdSupervisorOptions): Promise<ClamdSupervisor> {
  const { supervisor, firstStart } = superviseClamd(options);
  try {
    await firstStart;
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  return supervisor;
}

/**
 * Supervises clamd for good: starts it, and after a failed start, an exit or a hang starts it again
 * after a delay that doubles from restartMinMs up to restartMaxMs. `firstStart` settles with the
 * first attempt (rejecting with why it failed) while the supervision goes on. Throws at once only
 * when there is nothing to run (no clamd binary, no databases).
 */
export function superviseClamd(options: ClamdSupervisorOptions): { supervisor: ClamdSupervisor; firstStart: Promise<void> } {
  const { logger } = options;
  const binary = options.clamdBinary ?? findClamdBinary();
  if (!binary) throw new Error('clamd not found on PATH or in /usr/sbin');
  const { dir: databaseDir, system } = chooseDatabaseDir(options);
  const workDir = path.resolve(options.workDir);
  const tempDir = path.join(workDir, 'tmp');
  // sun_path holds 108 bytes; a deep data directory falls back to a short private temp dir.
  let socketPath = path.join(workDir, 'clamd.sock');
  let socketDir: string | undefined;
  if (Buffer.byteLength(socketPath) > 100) {
    socketDir = mkdtempSync(path.join(os.tmpdir(), 'assay-clamd-'));
    socketPath = path.join(socketDir, 'clamd.sock');
  }
  const confPath = path.join(workDir, 'clamd.conf');
  const startTimeoutMs = options.startTimeoutMs ?? (system ? 180_000 : 30_000);
  const restartMinMs = options.restartMinMs ?? 250;
  const restartMaxMs = Math.max(restartMinMs, options.restartMaxMs ?? 30_000);
  const startClient = new ClamdClient({ path: socketPath }, { commandTimeoutMs: 1_000 });
  const livenessIntervalMs = options.livenessIntervalMs ?? 10_000;
  const tempMaxAgeMs = options.tempMaxAgeMs ?? 60_000;
  const liveClient = new ClamdClient({ path: socketPath }, { commandTimeoutMs: options.pingTimeoutMs ?? 5_000 });

  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  /** Why clamd is not serving now; undefined while it answers. */
  let downReason: string | undefined = 'clamd is starting';
  let wake: (() => void) | undefined;
  let checkLiveness: () => void = () => undefined;
  const tail: string[] = [];
  const lastOutput = () => tail.slice(-5).join(' | ');

  const launch = async (): Promise<ChildProcess> => {
    await fs.mkdir(tempDir, { recursive: true });
    await fs.writeFile(confPath, renderClamdConf({ databaseDir, socketPath, tempDir, maxFileBytes: options.maxFileBytes }));
    await shutdownLeftover(startClient, socketPath, logger);
    if (stopping) throw new Error('stopped');
    // No clamd of ours runs now: whatever is in its temporary directory is left from a killed scan.
    await cleanTempDir(tempDir);
    const proc = spawn(binary, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const startedAt = Date.now();
    const remember = (data: Buffer) => {
      for (const line of data.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        logger.debug({ clamd: line }, 'clamd output');
      }
    };
    proc.stdout!.on('data', remember);
    proc.stderr!.on('data', remember);
    const exited = exitOf(proc);
    const deadline = Date.now() + startTimeoutMs;
    let pollMs = 20;
    for (;;) {
      const outcome = await Promise.race([startClient.ping().then(() => 'pong' as const, () => 'no' as const), exited]);
      if (outcome === 'pong') break;
      if (outcome !== 'no') throw new Error(`clamd stopped while starting (${outcome}): ${lastOutput()}`);
      if (stopping) throw new Error('stopped');
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await exited;
        throw new Error(`clamd did not answer PING within ${startTimeoutMs} ms: ${lastOutput()}`);
      }
      // Polling with a deadline: clamd creates its socket only once the databases are loaded.
      const nextPoll = await Promise.race([delay(pollMs).then(() => undefined), exited]);
      if (nextPoll !== undefined) throw new Error(`clamd stopped while starting (${nextPoll}): ${lastOutput()}`);
      pollMs = Math.min(pollMs * 2, 250);
    }
    logger.info({ pid: proc.pid, databaseDir, startupMs: Date.now() - startedAt }, 'clamd is ready');
    return proc;
  };

  /**
   * Resolves when the running clamd exits. Meanwhile PINGs it periodically and on request; when two
   * PINGs in a row go unanswered (SIGSTOP, a deadlock) it is killed, since scans would wait on it
   * until their deadline and nothing else would ever notice.
   */
  const watch = (proc: ChildProcess): Promise<{ why: string; hung: boolean }> => {
    let hung = false;
    let probing = false;
    const probe = async () => {
      if (probing || stopping || hung) return;
      probing = true;
      try {
        for (let attempt = 0; attempt < 2; attempt += 1) {
          if (await liveClient.ping().then(() => true, () => false)) return;
          if (stopping || proc.exitCode !== null || proc.signalCode !== null) return;
        }
        hung = true;
        downReason = 'clamd not answering PING; restarting';
        logger.error({ pid: proc.pid, lastOutput: tail.slice(-5) }, 'clamd does not answer PING; killing it');
        proc.kill('SIGKILL');
      } finally {
        probing = false;
      }
    };
    const timer = setInterval(() => {
      void probe();
      void cleanTempDir(tempDir, tempMaxAgeMs);
    }, livenessIntervalMs);
    timer.unref();
    checkLiveness = () => void probe();
    return exitOf(proc).then((why) => {
      clearInterval(timer);
      checkLiveness = () => undefined;
      return { why, hung };
    });
  };

  let resolveFirst!: () => void;
  let rejectFirst!: (err: unknown) => void;
  const firstStart = new Promise<void>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  // The caller may never await it (the engine reads downReason instead).
  firstStart.catch(() => undefined);

  const supervise = async () => {
    let backoffMs = restartMinMs;
    for (let attempt = 0; !stopping; attempt += 1) {
      if (attempt > 0) restarts += 1;
      try {
        const proc = await launch();
        if (attempt === 0) resolveFirst();
        downReason = undefined;
        backoffMs = restartMinMs;
        const { why, hung } = await watch(proc);
        if (stopping) break;
        if (hung) {
          downReason = `clamd not answering PING (killed); restarting`;
        } else {
          downReason = `clamd exited (${why}); restarting`;
          logger.warn({ why, restartInMs: backoffMs, lastOutput: tail.slice(-5) }, 'clamd exited; restarting');
        }
      } catch (err) {
        if (attempt === 0) rejectFirst(err);
        if (stopping) break;
        downReason = `could not start clamd: ${message(err)}; retrying`;
        logger.error({ err, restartInMs: backoffMs }, 'clamd start failed');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoffMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      backoffMs = Math.min(backoffMs * 2, restartMaxMs);
    }
  };

  // A crash of Node must not leave an orphaned clamd holding the socket.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const supervision = supervise();

  const supervisor: ClamdSupervisor = {
    socketPath,
    databaseDir,
    usingSystemSignatures: system,
    get pid() {
      return downReason === undefined ? child?.pid : undefined;
    },
    get restarts() {
      return restarts;
    },
    running: () => downReason === undefined && child !== undefined && child.exitCode === null && child.signalCode === null,
    downReason: () => (stopping ? 'stopped' : downReason),
    checkLiveness: () => checkLiveness(),
    async stop() {
      if (stopping) return;
      stopping = true;
      wake?.();
      process.off('exit', killOnExit);
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = exitOf(proc);
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await supervision;
      if (socketDir) rmSync(socketDir, { recursive: true, force: true });
      else if (existsSync(socketPath)) rmSync(socketPath, { force: true });
    },
  };
  return { supervisor, firstStart };
}

/** Resolves with how the process ended: `signal SIGKILL`, `exit code 1`, or a spawn error. */
function exitOf(proc: ChildProcess): Promise<string> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve(proc.signalCode ? `signal ${proc.signalCode}` : `exit code ${proc.exitCode}`);
  }
  return new Promise<string>((resolve) => {
    proc.once('error', (err) => resolve(err.message));
    proc.once('exit', (code, sig) => resolve(sig ? `signal ${sig}` : `exit code ${code}`));
  });
}

/**
 * A clamd answering on our private socket is one a previous Assay run left behind (killed before
 * it could stop it). It would keep the socket and make our clamd exit, so ask it to shut down.
 */
async function shutdownLeftover(client: ClamdClient, socketPath: string, logger: Logger): Promise<void> {
  if (!existsSync(socketPath)) return;
  const answers = () => client.ping().then(() => true, () => false);
  if (!(await answers())) return;
  logger.warn({ socketPath }, 'shutting down a clamd left over from a previous run');
  await client.shutdown().catch(() => undefined);
  const deadline = Date.now() + 15_000;
  while (await answers()) {
    if (Date.now() > deadline) throw new Error(`a clamd left over from a previous run still answers on ${socketPath}`);
    await delay(50);
  }
}

/** Removes the entries of clamd's temporary directory, or only those not modified for maxAgeMs. */
async function cleanTempDir(dir: string, maxAgeMs?: number): Promise<void> {
  const cutoff = Date.now() - (maxAgeMs ?? 0);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const entry = path.join(dir, name);
    try {
      if (maxAgeMs !== undefined && (await fs.lstat(entry)).mtimeMs > cutoff) continue;
      await fs.rm(entry, { recursive: true, force: true });
    } catch {
      // Gone meanwhile (clamd removes its own files after a scan).
    }
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
