/** Runs a private clamd: writes its config, picks the signature databases, starts it, restarts it if it dies. */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { bundledClamavSignaturesDir } from '../package-root.js';
import { ClamdClient } from './clamd-client.js';

const MiB = 1024 * 1024;

/** clamd's StreamMaxLength in the config we write; the engine's manifest accepts files up to this. */
export const CLAMD_STREAM_MAX_BYTES = 200 * MiB;

export const SYSTEM_DATABASE_DIR = '/var/lib/clamav';

/** Extensions clamd loads from a database directory (sigtool(1), "signatures" in the ClamAV docs). */
const DATABASE_FILE = /\.(cvd|cld|cud|hdb|hsb|hdu|hsu|mdb|msb|mdu|msu|ndb|ndu|ldb|ldu|idb|cdb|ign|ign2|fp|sfp|pdb|gdb|wdb|cbc|ftm|crb|yar|yara|cat|crt|info|cfg)$/;

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
  /** How long clamd may take to answer PING after a start; official databases take tens of seconds. */
  startTimeoutMs?: number;
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

export function renderClamdConf(o: { databaseDir: string; socketPath: string; tempDir: string }): string {
  const mb = (bytes: number) => `${Math.floor(bytes / MiB)}M`;
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
    `StreamMaxLength ${mb(CLAMD_STREAM_MAX_BYTES)}`,
    `MaxFileSize ${mb(CLAMD_STREAM_MAX_BYTES)}`,
    `MaxScanSize ${mb(2 * CLAMD_STREAM_MAX_BYTES)}`,
    'MaxThreads 4',
    '',
  ].join('\n');
}

/**
 * Starts clamd and resolves once it answers PING. Rejects (with clamd's last output lines) when it
 * exits or stays silent past the deadline. Afterwards an unexpected exit is followed by a restart
 * with exponential backoff, until stop().
 */
export async function startClamd(options: ClamdSupervisorOptions): Promise<ClamdSupervisor> {
  const { logger } = options;
  const binary = options.clamdBinary ?? findClamdBinary();
  if (!binary) throw new Error('clamd not found on PATH or in /usr/sbin');
  const { dir: databaseDir, system } = chooseDatabaseDir(options);
  const workDir = path.resolve(options.workDir);
  const tempDir = path.join(workDir, 'tmp');
  await fs.mkdir(tempDir, { recursive: true });
  // sun_path holds 108 bytes; a deep data directory falls back to a short private temp dir.
  let socketPath = path.join(workDir, 'clamd.sock');
  let socketDir: string | undefined;
  if (Buffer.byteLength(socketPath) > 100) {
    socketDir = mkdtempSync(path.join(os.tmpdir(), 'assay-clamd-'));
    socketPath = path.join(socketDir, 'clamd.sock');
  }
  const confPath = path.join(workDir, 'clamd.conf');
  await fs.writeFile(confPath, renderClamdConf({ databaseDir, socketPath, tempDir }));
  const client = new ClamdClient({ path: socketPath }, { commandTimeoutMs: 1_000 });
  const startTimeoutMs = options.startTimeoutMs ?? (system ? 180_000 : 30_000);

  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let backoffMs = 250;
  let restartTimer: NodeJS.Timeout | undefined;
  const tail: string[] = [];

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, ['-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const startedAt = Date.now();
    let ready = false;
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
    const exited = new Promise<string>((resolve) => {
      proc.once('error', (err) => resolve(err.message));
      proc.once('exit', (code, sig) => resolve(sig ? `signal ${sig}` : `exit code ${code}`));
    });
    void exited.then((why) => {
      if (child === proc) child = undefined;
      if (stopping || !ready) return;
      // A run that lasted a while was healthy: start over with a short backoff.
      if (Date.now() - startedAt > 60_000) backoffMs = 250;
      logger.warn({ why, restartInMs: backoffMs, lastOutput: tail.slice(-5) }, 'clamd exited; restarting');
      scheduleRestart();
    });
    const deadline = Date.now() + startTimeoutMs;
    let pollMs = 20;
    for (;;) {
      const outcome = await Promise.race([
        client.ping().then(
          () => 'pong' as const,
          () => 'no' as const,
        ),
        exited,
      ]);
      if (outcome === 'pong') break;
      if (outcome !== 'no') throw new Error(`clamd stopped while starting (${outcome}): ${tail.slice(-5).join(' | ')}`);
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`clamd did not answer PING within ${startTimeoutMs} ms: ${tail.slice(-5).join(' | ')}`);
      }
      // Polling with a deadline: clamd creates its socket only once the databases are loaded.
      const nextPoll = await Promise.race([delay(pollMs).then(() => undefined), exited]);
      if (nextPoll !== undefined) throw new Error(`clamd stopped while starting (${nextPoll}): ${tail.slice(-5).join(' | ')}`);
      pollMs = Math.min(pollMs * 2, 250);
    }
    ready = true;
    logger.info({ pid: proc.pid, databaseDir, startupMs: Date.now() - startedAt }, 'clamd is ready');
  };

  const scheduleRestart = () => {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      restarts += 1;
      launch().then(
        () => {
          backoffMs = 250;
        },
        (err: unknown) => {
          if (stopping) return;
          backoffMs = Math.min(backoffMs * 2, 30_000);
          logger.error({ err, restartInMs: backoffMs }, 'clamd restart failed');
          scheduleRestart();
        },
      );
    }, backoffMs);
    restartTimer.unref();
  };

  // A crash of Node must not leave an orphaned clamd holding the socket.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    await shutdownLeftover(client, socketPath, logger);
    await launch();
  } catch (err) {
    stopping = true;
    process.off('exit', killOnExit);
    child?.kill('SIGKILL');
    if (socketDir) rmSync(socketDir, { recursive: true, force: true });
    throw err;
  }

  return {
    socketPath,
    databaseDir,
    usingSystemSignatures: system,
    get pid() {
      return child?.pid;
    },
    get restarts() {
      return restarts;
    },
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearTimeout(restartTimer);
      process.off('exit', killOnExit);
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      if (socketDir) rmSync(socketDir, { recursive: true, force: true });
      else if (existsSync(socketPath)) rmSync(socketPath, { force: true });
    },
  };
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

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
