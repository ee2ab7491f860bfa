/**
 * Runs one 7zz command (never through a shell), feeding stdout to a line callback and keeping a
 * bounded head of stderr; an abort kills the child and settles once it has exited.
 */
import { spawn } from 'node:child_process';

export interface Run7zzOptions {
  /** Aborting kills the child (SIGKILL) and rejects with `signal.reason` once it has exited. */
  signal: AbortSignal;
  /** Called for each complete stdout line (without the newline). */
  onLine?: (line: string) => void;
  /** Called with stdout's raw bytes instead (`-so` writes an entry's content there); not with onLine. */
  onChunk?: (chunk: Buffer) => void;
}

export interface Run7zzResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The first few KiB of stderr. */
  stderr: string;
}

/** Why a child could not be started at all: ENOENT/EACCES means 7zz is not installed (usable). */
export class SpawnError extends Error {
  constructor(
    readonly missing: boolean,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SpawnError';
  }
}

const MAX_STDERR_BYTES = 8 * 1024;
/** A longer stdout line than this (a path can be 64 KiB in a ZIP) is cut; the listing parser only needs keys. */
const MAX_LINE_BYTES = 128 * 1024;
/** After SIGKILL, how long to wait for the exit before settling anyway (a child stuck in I/O). */
const KILL_GRACE_MS = 2000;

export function run7zz(command: string, args: readonly string[], options: Run7zzOptions): Promise<Run7zzResult> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<Run7zzResult>((resolve, reject) => {
    let settled = false;
    let killedFor: { reason: unknown } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const stderr: Buffer[] = [];
    let stderrBytes = 0;
    let partial = '';

    // UTF-8 locale: 7zz converts the password and names from the locale charset (in "C" a non-ASCII one fails).
    // stdin is closed, so 7zz can never stop to prompt for a password.
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' },
      shell: false,
    });

    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = (): void => {
      if (settled || killedFor) return;
      killedFor = { reason: signal.reason };
      child.kill('SIGKILL');
      graceTimer = setTimeout(() => finish(() => reject(signal.reason)), KILL_GRACE_MS);
      graceTimer.unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });

    if (options.onChunk) {
      const onChunk = options.onChunk;
      child.stdout.on('data', (chunk: Buffer) => {
        if (!killedFor) onChunk(chunk);
      });
    } else child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string | Buffer) => {
      if (killedFor || !options.onLine || typeof chunk !== 'string') return;
      partial += chunk;
      let newline: number;
      while ((newline = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, newline).replace(/\r$/, '');
        partial = partial.slice(newline + 1);
        options.onLine(line);
        if (killedFor) return;
      }
      if (partial.length > MAX_LINE_BYTES) partial = partial.slice(0, MAX_LINE_BYTES);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes >= MAX_STDERR_BYTES) return;
      stderr.push(chunk.subarray(0, MAX_STDERR_BYTES - stderrBytes));
      stderrBytes += chunk.length;
    });

    child.once('error', (err: NodeJS.ErrnoException) => {
      // Only a spawn failure matters here (no pid, and no 'exit' follows); a failed kill ends at 'exit'.
      if (child.pid !== undefined) return;
      const missing = err.code === 'ENOENT' || err.code === 'EACCES';
      finish(() => reject(killedFor ? killedFor.reason : new SpawnError(missing, `cannot run ${command}: ${err.message}`, { cause: err })));
    });
    child.once('exit', () => {
      if (killedFor) finish(() => reject(killedFor!.reason));
    });
    child.once('close', (code, sig) => {
      finish(() => {
        if (killedFor) {
          reject(killedFor.reason);
          return;
        }
        if (partial && options.onLine) options.onLine(partial.replace(/\r$/, ''));
        resolve({ code, signal: sig, stderr: Buffer.concat(stderr).toString('utf8').trim() });
      });
    });
  });
}
