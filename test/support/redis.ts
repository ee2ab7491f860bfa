/**
 * A Redis for tests: the server named by ASSAY_TEST_REDIS_URL, else one answering on
 * 127.0.0.1:6379, else a private `redis-server` started once per process (no persistence) and
 * stopped when the process exits. Tests keep apart by key prefix (`testRedisPrefix()`), never by
 * flushing, since the server may be shared.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, Socket } from 'node:net';

const LOCAL_URL = 'redis://127.0.0.1:6379';
const READY_TIMEOUT_MS = 10_000;

let server: Promise<string> | undefined;

/** The URL of a Redis to test against. */
export function testRedisUrl(): Promise<string> {
  return (server ??= findOrStart());
}

/** A key prefix no other test uses, e.g. `assay-test:3f9c2a1b7e04:`. */
export function testRedisPrefix(): string {
  return `assay-test:${randomBytes(6).toString('hex')}:`;
}

async function findOrStart(): Promise<string> {
  const external = process.env.ASSAY_TEST_REDIS_URL;
  if (external) return external;
  if (await answersPing(6379)) return LOCAL_URL;
  return startServer();
}

/** Sends an inline PING and waits briefly for +PONG. */
export function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

function freePort(): Promise<number> {
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

async function startServer(): Promise<string> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error('No Redis answers on 127.0.0.1:6379 and redis-server could not start; set ASSAY_TEST_REDIS_URL', { cause: error });
  }
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`redis-server did not start (set ASSAY_TEST_REDIS_URL): ${error.message}`))),
  );
  spawnFailed.catch(() => {}); // an 'error' after start-up has nobody waiting on it
  // 'exit' handlers must be synchronous; kill() is.
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.kill(process.pid, signal);
    });
  }
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();

  const ready = (async () => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await answersPing(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Test Redis did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  await Promise.race([ready, spawnFailed]);
  return `redis://127.0.0.1:${port}`;
}

