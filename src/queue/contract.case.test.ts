/**
 * The JobQueue contract: every queue adapter runs this suite unchanged. Not a test file by itself;
 * an adapter's test calls `runJobQueueContract` with a factory for an empty shared queue.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { Job, JobQueue } from './queue.js';

/** One empty queue backing store per test; `open` may be called several times to get more clients of it. */
export interface JobQueueHarness {
  /**
   * `manual`: the adapter follows the `now` given to `open`, and the tests move it by hand.
   * `real`: leases and retry delays follow real time (Redis); the tests then use short leases and
   * poll until they lapse, and check "not yet" only against delays far longer than the test.
   */
  clock: 'manual' | 'real';
  /** A new client of the same queue (its own connection where the adapter has one), on the given clock. */
  open(now: () => number): Promise<JobQueue>;
  /** Closes every client opened and removes the backing store. */
  dispose(): Promise<void>;
}

/** A clock the tests move by hand: lease expiry is tested without sleeping. */
class ManualClock {
  constructor(public ms = 1_700_000_000_000) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * Retries `attempt` until it gives a value, moving the manual clock on between tries (a real-clock
 * adapter ignores it); the deadline only turns a hang into a failure.
 */
async function eventually<T>(what: string, clock: ManualClock, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    clock.advance(SHORT_MS);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A delay no test run reaches: "not claimable yet" checks against it hold however loaded the machine is. */
const LONG_MS = 3_600_000;
/** A lease or delay real-clock tests wait out (by polling). */
const SHORT_MS = 300;

export function runJobQueueContract(name: string, createHarness: () => Promise<JobQueueHarness>): void {
  async function withQueue(use: (queue: JobQueue, clock: ManualClock, harness: JobQueueHarness) => Promise<void>): Promise<void> {
    const harness = await createHarness();
    const clock = new ManualClock();
    try {
      await use(await harness.open(clock.now), clock, harness);
    } finally {
      await harness.dispose();
    }
  }
  /** Tests of exact lease and delay boundaries, which only a hand-moved clock can check. */
  async function withManualQueue(t: TestContext, use: (queue: JobQueue, clock: ManualClock, harness: JobQueueHarness) => Promise<void>): Promise<void> {
    const harness = await createHarness();
    if (harness.clock !== 'manual') {
      await harness.dispose();
      t.skip('real clock: see the real-time variant');
      return;
    }
    const clock = new ManualClock();
    try {
      await use(await harness.open(clock.now), clock, harness);
    } finally {
      await harness.dispose();
    }
  }

  describe(`JobQueue contract: ${name}`, () => {
    test('an enqueued job is claimed once, with its payload and attempts 1', () =>
      withQueue(async (queue) => {
        const payload = { sha256: 'a'.repeat(64), nested: { list: [1, 2], flag: true } };
        const id = await queue.enqueue('analyse-file', payload);
        assert.equal(typeof id, 'string');
        assert.deepEqual(await queue.counts(), { pending: 1, running: 0, done: 0, failed: 0 });
        const job = await queue.claim('w1', 30_000);
        assert.deepEqual(job, { id, kind: 'analyse-file', payload, attempts: 1 });
        assert.equal(await queue.claim('w2', 30_000), undefined, 'a leased job is not handed out again');
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 });
      }));

    test('an empty queue has nothing to claim', () =>
      withQueue(async (queue) => {
        assert.equal(await queue.claim('w1', 1000), undefined);
        assert.deepEqual(await queue.counts(), { pending: 0, running: 0, done: 0, failed: 0 });
      }));

    test('jobs are claimed oldest first', () =>
      withQueue(async (queue, clock) => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(await queue.enqueue('k', { i }));
          if (i % 2 === 0) clock.advance(1); // some share a millisecond, some do not
        }
        const claimed: string[] = [];
        for (let job = await queue.claim('w', 1000); job; job = await queue.claim('w', 1000)) claimed.push(job.id);
        assert.deepEqual(claimed, ids);
      }));

    test('onEnqueued listeners hear every local enqueue', () =>
      withQueue(async (queue) => {
        let heard = 0;
        queue.onEnqueued(() => heard++);
        queue.onEnqueued(() => {
          throw new Error('a broken listener does not fail the enqueue');
        });
        await queue.enqueue('k', null);
        await queue.enqueue('k', 2);
        assert.equal(heard, 2);
      }));

    test('complete acts only for the lease holder', () =>
      withQueue(async (queue) => {
        const id = await queue.enqueue('k', {});
        await queue.claim('owner', 1000);
        await queue.complete(id, 'intruder');
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 });
        await queue.complete(id, 'owner');
        assert.deepEqual(await queue.counts(), { pending: 0, running: 0, done: 1, failed: 0 });
        assert.equal(await queue.claim('other', 1000), undefined, 'a done job is never claimed');
        assert.equal(await queue.extend(id, 'owner', 1000), false, 'a done job has no lease to extend');
      }));

    test('fail with a retry delay makes the job runnable again after the delay', (t) =>
      withManualQueue(t, async (queue, clock) => {
        const id = await queue.enqueue('k', { n: 1 });
        await queue.claim('w1', 1000);
        await queue.fail(id, 'intruder', 'not mine', 0);
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 }, 'only the holder can fail it');
        await queue.fail(id, 'w1', 'boom', 5000);
        assert.deepEqual(await queue.counts(), { pending: 1, running: 0, done: 0, failed: 0 });
        clock.advance(4999);
        assert.equal(await queue.claim('w2', 1000), undefined, 'not before the retry delay');
        clock.advance(1);
        const again = await queue.claim('w2', 1000);
        assert.equal(again?.id, id);
        assert.equal(again?.attempts, 2);
        await queue.complete(id, 'w1');
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 }, 'the first holder lost it');
      }));

    test('fail without a retry fails the job for good', () =>
      withQueue(async (queue, clock) => {
        const id = await queue.enqueue('k', {});
        await queue.claim('w1', 1000);
        await queue.fail(id, 'w1', 'x'.repeat(100_000), null);
        assert.deepEqual(await queue.counts(), { pending: 0, running: 0, done: 0, failed: 1 });
        clock.advance(24 * 3600_000);
        assert.equal(await queue.claim('w2', 1000), undefined);
        assert.equal(await queue.extend(id, 'w1', 1000), false);
      }));

    test('a job whose lease expired is claimed again with attempts 2; the old holder loses it', (t) =>
      withManualQueue(t, async (queue, clock) => {
        const id = await queue.enqueue('k', { x: 1 });
        const first = await queue.claim('dead-worker', 1000);
        assert.equal(first?.attempts, 1);
        clock.advance(1000);
        assert.equal(await queue.claim('w2', 1000), undefined, 'the lease lasts through its last millisecond');
        clock.advance(1);
        const second = await queue.claim('w2', 1000);
        assert.deepEqual(second, { id, kind: 'k', payload: { x: 1 }, attempts: 2 });
        assert.equal(await queue.extend(id, 'dead-worker', 1000), false);
        await queue.complete(id, 'dead-worker');
        await queue.fail(id, 'dead-worker', 'late', null);
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 });
        await queue.complete(id, 'w2');
        assert.deepEqual(await queue.counts(), { pending: 0, running: 0, done: 1, failed: 0 });
      }));

    test('extend keeps a lease alive past its original expiry', (t) =>
      withManualQueue(t, async (queue, clock) => {
        const id = await queue.enqueue('k', {});
        await queue.claim('w1', 1000);
        clock.advance(800);
        assert.equal(await queue.extend(id, 'w1', 1000), true);
        assert.equal(await queue.extend(id, 'w2', 1000), false, 'only the holder extends');
        clock.advance(800);
        assert.equal(await queue.claim('w2', 1000), undefined, 'still leased after the original expiry');
        clock.advance(201);
        assert.equal((await queue.claim('w2', 1000))?.id, id);
      }));

    test('a failed job waits out its retry delay, then is claimed again by anyone', () =>
      withQueue(async (queue, clock) => {
        const id = await queue.enqueue('k', { n: 1 });
        await queue.claim('w1', LONG_MS);
        await queue.fail(id, 'intruder', 'not mine', 0);
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 }, 'only the holder can fail it');
        await queue.fail(id, 'w1', 'boom', SHORT_MS);
        assert.deepEqual(await queue.counts(), { pending: 1, running: 0, done: 0, failed: 0 });
        const again = await eventually('the retry', clock, () => queue.claim('w2', LONG_MS));
        assert.equal(again.id, id);
        assert.equal(again.attempts, 2);
        await queue.complete(id, 'w1');
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 }, 'the first holder lost it');
        const later = await queue.enqueue('k', { n: 2 });
        await queue.claim('w2', LONG_MS);
        await queue.fail(later, 'w2', 'boom', LONG_MS);
        assert.equal(await queue.claim('w3', LONG_MS), undefined, 'not before its retry delay');
      }));

    test('a job whose lease lapsed is claimed again with attempts 2, and the new holder may extend it', () =>
      withQueue(async (queue, clock) => {
        const id = await queue.enqueue('k', { x: 1 });
        assert.equal((await queue.claim('dead-worker', SHORT_MS))?.attempts, 1);
        const second = await eventually('the lease to lapse', clock, () => queue.claim('w2', LONG_MS));
        assert.deepEqual(second, { id, kind: 'k', payload: { x: 1 }, attempts: 2 });
        assert.equal(await queue.extend(id, 'dead-worker', 1000), false);
        await queue.complete(id, 'dead-worker');
        await queue.fail(id, 'dead-worker', 'late', null);
        assert.deepEqual(await queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 });
        assert.equal(await queue.extend(id, 'w2', LONG_MS), true, 'the new holder extends');
        await queue.complete(id, 'w2');
        assert.deepEqual(await queue.counts(), { pending: 0, running: 0, done: 1, failed: 0 });
      }));

    test('interactive jobs of any kind are claimed before bulk ones, oldest first within each', () =>
      withQueue(async (queue, clock) => {
        const bulk1 = await queue.enqueue('rescan', { n: 1 }, { priority: 'bulk' });
        clock.advance(1);
        const upload1 = await queue.enqueue('upload', { n: 2 });
        clock.advance(1);
        const bulk2 = await queue.enqueue('upload', { n: 3 }, { priority: 'bulk' });
        clock.advance(1);
        const upload2 = await queue.enqueue('upload', { n: 4 }, { priority: 'interactive' });
        const claimed: string[] = [];
        for (let job = await queue.claim('w', LONG_MS); job; job = await queue.claim('w', LONG_MS)) claimed.push(job.id);
        assert.deepEqual(claimed.slice(0, 2), [upload1, upload2]);
        assert.deepEqual(new Set(claimed.slice(2)), new Set([bulk1, bulk2]));
      }));

    test('a claim skips the kinds it is told to, and takes the rest', () =>
      withQueue(async (queue) => {
        const busy = await queue.enqueue('retrohunt', { n: 1 });
        const other = await queue.enqueue('upload', { n: 2 }, { priority: 'bulk' });
        assert.equal((await queue.claim('w', LONG_MS, { skipKinds: ['retrohunt'] }))?.id, other, 'a bulk job of another kind goes first');
        assert.equal(await queue.claim('w', LONG_MS, { skipKinds: ['retrohunt'] }), undefined);
        assert.equal((await queue.claim('w', LONG_MS))?.id, busy);
      }));

    test('20 concurrent claimers over 50 jobs never get the same job twice', () =>
      withQueue(async (queue, _clock, harness) => {
        const clock = new ManualClock();
        const ids = new Set<string>();
        for (let i = 0; i < 50; i++) ids.add(await queue.enqueue('k', { i }));
        // Several clients, so on adapters with connections the claims really race each other.
        const clients = [queue, ...(await Promise.all([1, 2, 3].map(() => harness.open(clock.now))))];
        const claimed: Job[] = [];
        await Promise.all(
          Array.from({ length: 20 }, async (_, w) => {
            const client = clients[w % clients.length]!;
            for (let job = await client.claim(`w${w}`, 60_000); job; job = await client.claim(`w${w}`, 60_000)) {
              claimed.push(job);
            }
          }),
        );
        const claimedIds = claimed.map((j) => j.id);
        assert.equal(claimedIds.length, 50);
        assert.equal(new Set(claimedIds).size, 50, 'no job handed out twice');
        assert.deepEqual(new Set(claimedIds), ids);
        assert.ok(claimed.every((j) => j.attempts === 1));
        assert.deepEqual(await queue.counts(), { pending: 0, running: 50, done: 0, failed: 0 });
      }));
  });
}
