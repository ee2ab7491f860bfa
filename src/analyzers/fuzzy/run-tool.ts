/** Runs one short-lived command-line tool (no shell) with an abort signal, a deadline and bounded output. */
import { spawn } from 'node:child_process';

export interface RunToolOptions {
  /** Kills the child (SIGKILL) and rejects with `signal.reason`. */
  signal: AbortSignal;
  /** Kills the child and rejects with a ToolError `timeout` past this many ms. */
  timeoutMs: number;
  /** More stdout than this kills the child and rejects with a ToolError `output_too_large`. */
  maxStdoutBytes: number;
}

export interface ToolResult {
  stdout: string;
  /** The first few KiB of stderr; the rest is dropped. */
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export type ToolErrorCode = 'not_found' | 'spawn_failed' | 'timeout' | 'output_too_large';

/** The tool could not be run, or was stopped for running too long or printing too much. */
export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

const MAX_STDERR_BYTES = 4096;
/** After SIGKILL, how long to wait for the exit before settling anyway (a child stuck in I/O). */
const KILL_GRACE_MS = 1000;

/**
 * Spawns `command` with `args` as argv (never through a shell) and collects its output. Settles
 * once the child has exited, so no child outlives the returned promise, except one that ignores
 * SIGKILL for KILL_GRACE_MS (uninterruptible I/O), which is left to the kernel.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions): Promise<ToolResult> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<ToolResult>((resolve, reject) => {
    let settled = false;
    let failure: { error: unknown } | undefined;
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr: Buffer[] = [];
    let stderrBytes = 0;

    // LC_ALL=C: messages the tools print do not depend on the host's locale.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, shell: false });

    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    let graceTimer: NodeJS.Timeout | undefined;
    /** Kills the child; the promise rejects with `error` when it has exited (or after the grace period). */
    const stop = (error: unknown) => {
      if (settled || failure) return;
      failure = { error };
      child.kill('SIGKILL');
      graceTimer = setTimeout(() => finish(() => reject(error)), KILL_GRACE_MS);
      graceTimer.unref();
    };
    const onAbort = () => stop(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => stop(new ToolError('timeout', `${command} did not finish within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdoutBytes) {
        stop(new ToolError('output_too_large', `${command} printed more than ${options.maxStdoutBytes} bytes`));
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderrBytes >= MAX_STDERR_BYTES) return;
      stderr.push(chunk.subarray(0, MAX_STDERR_BYTES - stderrBytes));
      stderrBytes += chunk.length;
    });

    child.once('error', (err: NodeJS.ErrnoException) => {
      // A spawn failure (no pid, and no 'exit' will follow). A failed kill also lands here; 'exit' settles that.
      if (child.pid !== undefined) return;
      const code: ToolErrorCode = err.code === 'ENOENT' || err.code === 'EACCES' ? 'not_found' : 'spawn_failed';
      finish(() => reject(failure ? failure.error : new ToolError(code, `cannot run ${command}: ${err.message}`)));
    });
    // On a kill, settle at 'exit' (the process is gone); otherwise at 'close', when stdout is complete.
    child.once('exit', () => {
      if (failure) finish(() => reject(failure!.error));
    });
    child.once('close', (code, sig) => {
      finish(() => {
        if (failure) reject(failure.error);
        else resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8').trim(), code, signal: sig });
      });
    });
  });
}
