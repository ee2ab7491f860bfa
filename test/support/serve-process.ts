/** Waiting for a spawned `assay serve` to say where it listens: shared by the end-to-end tests and the benches. */
import type { ChildProcess } from 'node:child_process';

/**
 * Collects the process's stdout and stderr and resolves with its URL once it prints "listening on";
 * rejects with everything it printed if it exits first or the deadline passes (the process is then killed).
 */
export function waitForListening(child: ChildProcess, timeoutMs: number): { url: Promise<string>; output(): string } {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(deadline);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return { url, output: () => out };
}
