/**
 * Runs a vendor command without a shell, in bubblewrap unless told otherwise: output bounded, the
 * whole process group killed on abort, and the sample bound read-only at a fixed path.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Bytes kept of each output stream; the rest is read and dropped, so a chatty scanner cannot fill memory. */
export const MAX_OUTPUT_BYTES = 1024 * 1024;
/** Where the sample appears inside the sandbox (under its private /tmp). */
export const SANDBOX_SAMPLE_DIR = '/tmp/assay-sample';

export interface Sandbox {
  kind: 'bwrap' | 'none';
  network: boolean;
  /** Host paths bound read-write at the same place. */
  binds: readonly string[];
}

export interface CommandRun {
  /** null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The first place `command` is found: itself when it has a slash, else on PATH. */
export function resolveCommand(command: string, searchPath = process.env.PATH ?? ''): string | undefined {
  const candidates = command.includes('/') ? [command] : searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The argv that runs `command` in the sandbox, with `sample` (a host path) bound read-only at
 * `inside` when given. bwrap: new namespaces of every kind (no network unless allowed), the host's
 * files read-only, an empty /tmp, no capabilities, killed with its parent.
 */
export function sandboxArgv(sandbox: Sandbox, command: readonly string[], sample?: { host: string; inside: string }): string[] {
  if (sandbox.kind === 'none') return [...command];
  return [
    'bwrap',
    '--unshare-all',
    ...(sandbox.network ? ['--share-net'] : []),
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    ...sandbox.binds.flatMap((p) => ['--bind', p, p]),
    ...(sample ? ['--ro-bind', sample.host, sample.inside] : []),
    '--chdir',
    '/tmp',
    '--',
    ...command,
  ];
}

/** Runs argv (no shell) with a small environment; on abort the process group is killed and this rejects with the reason. */
export function runCommand(argv: readonly string[], env: Record<string, string>, signal: AbortSignal): Promise<CommandRun> {
  signal.throwIfAborted();
  return new Promise<CommandRun>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8', ...env },
      // Its own process group, so a scanner's children die with it when the deadline passes.
      detached: true,
    });
    const stdout = collect(child.stdout!);
    const stderr = collect(child.stderr!);
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const onAbort = () => kill();
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (exitCode, exitSignal) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      resolve({ exitCode, signal: exitSignal, stdout: stdout(), stderr: stderr() });
    });
  });
}

function collect(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  let kept = 0;
  stream.on('data', (data: Buffer) => {
    if (kept >= MAX_OUTPUT_BYTES) return;
    const part = data.subarray(0, MAX_OUTPUT_BYTES - kept);
    chunks.push(part);
    kept += part.length;
  });
  return () => Buffer.concat(chunks).toString('utf8');
}
