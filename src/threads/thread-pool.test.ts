/** The thread pool: requests, aborts (queued, running: terminate or discard), crashes, init failures, data from the first worker, idleness and close. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { pino } from 'pino';
import { PluginError } from '../core/plugin.js';
import type { EchoInfo, EchoReply, EchoRequest } from './testing/echo-worker.js';
import { ThreadPool, workerEntry, type ThreadPoolOptions } from './thread-pool.js';

const logger = pino({ level: 'silent' });
const never = () => new AbortController().signal;

function pool(options: Partial<ThreadPoolOptions<EchoInfo>> = {}): Promise<ThreadPool<EchoRequest, EchoReply, EchoInfo>> {
  return ThreadPool.create<EchoRequest, EchoReply, EchoInfo>({
    name: 'test pool',
    entry: workerEntry(import.meta.url, 'testing/echo-worker'),
    size: 1,
    logger,
    onAbortRunning: 'terminate',
    ...options,
  });
}

/** This process's threads (Linux /proc); a worker thread adds one. */
const threads = () => readdirSync('/proc/self/task').length;

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('answers requests on all of its threads; a handler error rejects that request only', async () => {
  const p = await pool({ size: 2 });
  try {
    // Two CPU-bound requests at once land on two different threads.
    const [a, b] = await Promise.all([p.run({ op: 'spin', ms: 200 }, never()), p.run({ op: 'spin', ms: 200 }, never())]);
    assert.notEqual(a.threadId, b.threadId);
    assert.deepEqual((await p.run({ op: 'echo', value: { x: [1, 'two'] } }, never())).value, { x: [1, 'two'] });
    await assert.rejects(p.run({ op: 'throw', message: 'bad input' }, never()), /test pool: bad input/);
    assert.equal((await p.run({ op: 'echo', value: 1 }, never())).value, 1);
  } finally {
    await p.close();
  }
});

test('transferred bytes move to the worker instead of being copied', async () => {
  const p = await pool();
  try {
    const bytes = Uint8Array.from([1, 2, 3, 250]);
    const reply = await p.run({ op: 'sum', bytes }, never(), [bytes.buffer]);
    assert.equal(reply.value, 256);
    assert.equal(bytes.byteLength, 0, 'the sender no longer holds the buffer');
  } finally {
    await p.close();
  }
});

test('aborting a queued request rejects it at once and leaves the running one alone', async () => {
  const p = await pool();
  try {
    const running = p.run({ op: 'spin', ms: 400 }, never());
    const controller = new AbortController();
    const queued = p.run({ op: 'echo', value: 'late' }, controller.signal);
    const reason = new Error('not needed');
    controller.abort(reason);
    await assert.rejects(queued, (err) => err === reason);
    await running;
  } finally {
    await p.close();
  }
});

test('aborting a running request with onAbortRunning "terminate" stops its thread; a fresh one takes the next', async () => {
  const p = await pool();
  try {
    const first = (await p.run({ op: 'echo', value: 0 }, never())).threadId;
    const controller = new AbortController();
    const running = p.run({ op: 'spin', ms: 30_000 }, controller.signal);
    await new Promise((r) => setTimeout(r, 100));
    const reason = new Error('deadline');
    controller.abort(reason);
    await assert.rejects(running, (err) => err === reason);
    // A fresh thread answers: the spinning one was stopped, not waited for.
    const next = await p.run({ op: 'echo', value: 1 }, never());
    assert.notEqual(next.threadId, first);
  } finally {
    await p.close();
  }
});

test('aborting a running request with onAbortRunning "discard" answers at once and keeps the thread', async () => {
  const p = await pool({ onAbortRunning: 'discard' });
  try {
    const first = (await p.run({ op: 'echo', value: 0 }, never())).threadId;
    const controller = new AbortController();
    const running = p.run({ op: 'spin', ms: 300 }, controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort(new Error('stop'));
    await assert.rejects(running, /stop/);
    assert.equal((await p.run({ op: 'echo', value: 1 }, never())).threadId, first);
  } finally {
    await p.close();
  }
});

test('a worker that dies fails its request as retryable worker_crashed and is replaced', async () => {
  const p = await pool();
  try {
    await assert.rejects(p.run({ op: 'exit' }, never()), (err: unknown) => err instanceof PluginError && err.flag === 'worker_crashed' && err.retryable);
    assert.equal((await p.run({ op: 'echo', value: 'again' }, never())).value, 'again');
  } finally {
    await p.close();
  }
});

test('a failing init rejects create with its message and leaves no thread behind', async () => {
  const before = threads();
  await assert.rejects(pool({ size: 2, workerData: { failInit: 'model missing' } }), /model missing/);
  await until(() => threads() <= before, 5000, 'threads stopped');
});

test('close() rejects running and queued requests as closed and stops every thread', async () => {
  const before = threads();
  const p = await pool({ size: 2 });
  assert.ok(threads() > before, 'the pool runs threads');
  // Two running (one per thread) and one queued; outcomes are collected at once so no rejection goes unhandled.
  const outcomes = [
    p.run({ op: 'spin', ms: 30_000 }, never()),
    p.run({ op: 'spin', ms: 30_000 }, never()),
    p.run({ op: 'echo', value: 1 }, never()),
  ].map((r) => r.then(() => 'answered', (err: unknown) => err));
  await new Promise((r) => setTimeout(r, 100));
  await p.close();
  for (const outcome of await Promise.all(outcomes)) assert.ok(outcome instanceof PluginError && outcome.flag === 'closed', String(outcome));
  await assert.rejects(p.run({ op: 'echo', value: 2 }, never()), (err: unknown) => err instanceof PluginError && err.flag === 'closed');
  await until(() => threads() <= before, 5000, 'threads stopped');
});

test('with workerDataAfterFirst, later workers and replacements start from what the first reported', async () => {
  const p = await pool({ size: 2, workerData: { role: 'first' }, workerDataAfterFirst: (info) => ({ role: 'later', firstThread: info.threadId }) });
  try {
    assert.deepEqual(p.info.data, { role: 'first' });
    const later = { role: 'later', firstThread: p.info.threadId };
    // The second worker starts after create resolves: pairs of requests reach it once it is ready.
    const seen = new Map<number, unknown>();
    const deadline = performance.now() + 20_000;
    while (seen.size < 2 && performance.now() < deadline) {
      for (const reply of await Promise.all([p.run({ op: 'spin', ms: 50 }, never()), p.run({ op: 'spin', ms: 50 }, never())])) seen.set(reply.threadId, reply.data);
    }
    const byRole = Object.fromEntries([...seen].map(([id, data]) => [id === p.info.threadId ? 'first' : 'other', data]));
    assert.deepEqual(byRole, { first: { role: 'first' }, other: later });
  } finally {
    await p.close();
  }
  const single = await pool({ workerData: { role: 'first' }, workerDataAfterFirst: (info) => ({ role: 'later', firstThread: info.threadId }) });
  try {
    await assert.rejects(single.run({ op: 'exit' }, never()), { flag: 'worker_crashed' });
    assert.deepEqual((await single.run({ op: 'echo', value: 1 }, never())).data, { role: 'later', firstThread: single.info.threadId });
  } finally {
    await single.close();
  }
});

test('with workerDataAfterFirst, a later worker that fails to start leaves the pool working on the first', async () => {
  const p = await pool({ size: 2, workerDataAfterFirst: () => ({ failInit: 'no plan' }) });
  try {
    const replies = await Promise.all([1, 2, 3].map((value) => p.run({ op: 'echo', value }, never())));
    assert.deepEqual(
      replies.map((r) => [r.threadId, r.value]),
      [1, 2, 3].map((value) => [p.info.threadId, value]),
    );
  } finally {
    await p.close();
  }
});

test('whenIdle() waits for a request answered early by a discarding abort until its thread is done', async () => {
  const p = await pool({ onAbortRunning: 'discard' });
  try {
    await p.whenIdle(); // an idle pool answers at once
    const started = performance.now();
    const controller = new AbortController();
    const running = p.run({ op: 'spin', ms: 300 }, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(running, /stop/);
    await p.whenIdle();
    assert.ok(performance.now() - started >= 300, 'idle only once the discarded 300 ms spin ended');
  } finally {
    await p.close();
  }
});

test('whenIdle() resolves when close() rejects what was left', async () => {
  const p = await pool();
  const running = p.run({ op: 'spin', ms: 30_000 }, never()).catch((err: unknown) => err);
  const idle = p.whenIdle();
  await p.close();
  await idle;
  assert.ok((await running) instanceof PluginError);
});
