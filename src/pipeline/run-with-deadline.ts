/** Runs one plugin call under a deadline and a parent AbortSignal, telling a timeout from a throw. */

export type Outcome<T> = { kind: 'ok'; value: T } | { kind: 'timeout' } | { kind: 'error'; error: unknown };

export async function runWithDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  parent: AbortSignal,
): Promise<Outcome<T>> {
  const controller = new AbortController();
  const abortFromParent = () => controller.abort(parent.reason);
  if (parent.aborted) return { kind: 'error', error: parent.reason };
  parent.addEventListener('abort', abortFromParent, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => {
      // Abort so the plugin can stop its work; the verdict is decided here, not by what it does next.
      controller.abort(new Error(`deadline of ${timeoutMs} ms passed`));
      resolve({ kind: 'timeout' });
    }, timeoutMs);
  });
  const work = (async (): Promise<Outcome<T>> => {
    try {
      return { kind: 'ok', value: await call(controller.signal) };
    } catch (error) {
      return { kind: 'error', error };
    }
  })();
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', abortFromParent);
  }
}
