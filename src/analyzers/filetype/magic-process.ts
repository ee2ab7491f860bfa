/** A long-lived `file` (libmagic) process fed one path per line on stdin, with a queue of pending requests. */
// Spawning `file` per sample costs ~16 ms; a warm process answers in about 0.3 ms. `file -n -f -`
// flushes one line per path, and with `-0` each answer starts with the path and a NUL, so every
// line is checked against the request it answers; a mismatch, a crash or an aborted request
// restarts the process and re-sends whatever is still pending.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from 'pino';
import { PluginError } from '../../core/plugin.js';

export interface MagicProcessOptions {
  /** Extra flags, e.g. ['--mime-type']. */
  args?: readonly string[];
  /** Name for logs, e.g. "describe" or "mime". */
  name: string;
  logger: Logger;
  /** The `file` executable. */
  command?: string;
}

interface Pending {
  path: string;
  resolve(line: string): void;
  reject(error: unknown): void;
  cleanup(): void;
  /** How many times the process died while this request was the one being answered. */
  crashes: number;
}

/** A request that kills `file` twice in a row is failed rather than retried for ever. */
const MAX_CRASHES_PER_REQUEST = 2;

export class MagicProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffered = '';
  private readonly pending: Pending[] = [];
  private closed = false;
  private readonly command: string;
  private readonly args: string[];

  constructor(private readonly options: MagicProcessOptions) {
    this.command = options.command ?? 'file';
    // -n flush per answer, -N no padding, -0 NUL after the echoed path, -L follow symlinks,
    // -f - read paths from stdin.
    this.args = ['-n', '-N', '-0', '-L', ...(options.args ?? []), '-f', '-'];
  }

  /** Starts the process; rejects when `file` cannot be spawned. */
  async start(): Promise<void> {
    if (this.child) return;
    await new Promise<void>((resolve, reject) => {
      const child = this.spawnChild();
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
  }

  /** libmagic's answer for `path`, as `file -b` would print it. */
  query(path: string, signal: AbortSignal): Promise<string> {
    if (this.closed) return Promise.reject(new PluginError('closed', 'file process closed'));
    if (signal.aborted) return Promise.reject(signal.reason);
    if (path.includes('\n')) return Promise.reject(new PluginError('bad_path', 'path contains a newline'));
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => this.abandon(entry, signal.reason);
      const entry: Pending = {
        path,
        resolve,
        reject,
        cleanup: () => signal.removeEventListener('abort', onAbort),
        crashes: 0,
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.push(entry);
      const child = this.child ?? this.spawnChild();
      setRef(child, true);
      child.stdin.write(`${path}\n`);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new PluginError('closed', 'file process closed'));
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // Held until it has exited, or close() would never settle in an otherwise idle process.
      setRef(child, true);
      child.stdin.end();
      // `file` exits at end of input; make sure it does even if it is stuck on a file.
      setTimeout(() => child.kill('SIGKILL'), 1000).unref();
    });
  }

  private spawnChild(): ChildProcessWithoutNullStreams {
    // LC_ALL=C: libmagic escapes non-ASCII bytes in descriptions instead of following the locale,
    // so answers do not depend on the host's environment.
    const child = spawn(this.command, this.args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    this.child = child;
    setRef(child, this.pending.length > 0);
    this.buffered = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (this.child === child) this.onData(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.options.logger.debug({ process: this.options.name, stderr: chunk.trim() }, 'file wrote to stderr'));
    // EPIPE when the process died under us is reported through 'exit'.
    child.stdin.on('error', () => {});
    child.on('error', (err) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.options.logger.error({ err, process: this.options.name }, 'cannot run file');
      this.failAll(new PluginError('libmagic_unavailable', `cannot run ${this.command}: ${err.message}`, true));
    });
    child.on('exit', (code, sig) => {
      if (this.child !== child) return; // replaced on purpose
      this.child = undefined;
      if (this.closed) return;
      this.options.logger.warn({ process: this.options.name, code, signal: sig }, 'file exited; restarting');
      const head = this.pending[0];
      if (head && ++head.crashes >= MAX_CRASHES_PER_REQUEST) {
        this.pending.shift();
        head.cleanup();
        head.reject(new PluginError('libmagic_crashed', `file died twice on ${head.path}`));
      }
      this.resend();
    });
    return child;
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const entry = this.pending[0];
      const sep = line.indexOf('\0');
      const echoed = sep >= 0 ? line.slice(0, sep) : undefined;
      if (!entry || echoed !== escapeLikeFile(entry.path)) {
        this.options.logger.warn({ process: this.options.name, line, expected: entry?.path }, 'file answer out of step; restarting');
        // Counted like a crash, so a path we cannot match fails once instead of looping.
        if (entry && ++entry.crashes >= MAX_CRASHES_PER_REQUEST) {
          this.pending.shift();
          entry.cleanup();
          entry.reject(new PluginError('libmagic_out_of_step', `cannot match file's answer for ${entry.path}`));
        }
        this.restart();
        return;
      }
      this.pending.shift();
      entry.cleanup();
      // After the NUL comes the separator ":" and a space.
      entry.resolve(line.slice(sep + 1).replace(/^: ?/, ''));
    }
    if (this.pending.length === 0 && this.child) setRef(this.child, false);
  }

  /** Drops an aborted request. It may already be in `file`'s hands, so start over without it. */
  private abandon(entry: Pending, reason: unknown): void {
    const index = this.pending.indexOf(entry);
    if (index < 0) return;
    this.pending.splice(index, 1);
    entry.cleanup();
    entry.reject(reason);
    this.restart();
  }

  private restart(): void {
    const old = this.child;
    this.child = undefined;
    old?.kill('SIGKILL');
    this.resend();
  }

  private resend(): void {
    if (this.closed || this.pending.length === 0) return;
    const child = this.spawnChild();
    child.stdin.write(this.pending.map((p) => `${p.path}\n`).join(''));
  }

  private failAll(error: unknown): void {
    for (const entry of this.pending.splice(0)) {
      entry.cleanup();
      entry.reject(error);
    }
  }
}

/** An idle `file` process must not keep Node running; one with requests in flight must. */
function setRef(child: ChildProcessWithoutNullStreams, on: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref(): void; unref(): void }>) {
    if (on) handle.ref();
    else handle.unref();
  }
}

/**
 * The path as `file` echoes it in the C locale: bytes outside printable ASCII become `\ooo`
 * (libmagic's file_printable), everything else is kept, backslashes included.
 */
export function escapeLikeFile(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}
