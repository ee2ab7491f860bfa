/** The job runner over a real queue (SQLite): success, retries with backoff, giving up once, unknown kinds, and stopping mid-job. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl } from '../../test/support/redis.js';
import { BullmqJobQueue } from '../queue/bullmq/bullmq-job-queue.js';
import { DbJobQueue } from '../queue/db/db-job-queue.js';
import type { JobCounts, JobQueue } from '../queue/queue.js';
import type { SqlBackend } from '../store/sql/sql-store.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import type { GiveUpPolicy } from './give-up-policy.js';
import { ANALYSE_FILE, ANALYSE_URL, type AnalyseFilePayload } from './job-kinds.js';
import { JobRunner, type JobHandler, type JobHandlers } from './job-runner.js';
import { waitFor } from '../../test/support/wait-for.js';

const logger = pino({ level: 'silent' });
const dir = await mkdtemp(path.join(tmpdir(), 'assay-runner-'));
after(() => rm(dir, { recursive: true, force: true }));

/** The queue's clock: backoff and lease expiry are moved by hand, never waited for. */
let clockMs = 1_700_000_000_000;
const now = () => clockMs;

let opened = 0;
type QueueKind = 'sqlite' | 'bullmq';

/** A fresh queue: the SQL one on the hand-moved clock, or BullMQ on a real Redis under its own prefix. */
async function openQueue(kind: QueueKind): Promise<{ queue: JobQueue; close(): Promise<void> }> {
  if (kind === 'bullmq') {
    const url = await testRedisUrl();
    const prefix = testRedisPrefix().slice(0, -1);
    const queue = await BullmqJobQueue.open(url, { prefix, stalledCheckMs: 50 });
    return {
      queue,
      async close() {
        await queue.close();
        const redis = new Redis(url);
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        await redis.quit();
      },
    };
  }
  const backend: SqlBackend = await openSqlite(path.join(dir, `q${opened++}.sqlite`));
  await backend.store.migrate();
  const queue = new DbJobQueue(backend.db, { now });
  return {
    queue,
    async close() {
      await queue.close();
      await backend.store.close();
    },
  };
}

async function setup(
  handlers: Partial<JobHandlers>,
  policy: GiveUpPolicy = { maxAttempts: 3, retryDelayMs: () => 0 },
  options: { queue?: QueueKind; concurrency?: number; kindLimits?: Record<string, number> } = {},
) {
  const opened = await openQueue(options.queue ?? 'sqlite');
  const queue = opened.queue;
  const runners: JobRunner[] = [];
  const runner = () => {
    const r = new JobRunner({
      queue,
      handlers: { ...idle, ...handlers } as JobHandlers,
      concurrency: options.concurrency ?? 2,
      kindLimits: options.kindLimits,
      leaseMs: 30_000,
      pollMs: 10,
      policy,
      logger,
    });
    runners.push(r);
    return r;
  };
  return {
    queue,
    runner,
    async close() {
      await Promise.all(runners.map((r) => r.stop()));
      await opened.close();
    },
  };
}

const never: JobHandler<never> = {
  run: () => Promise.reject(new Error('this kind should not run')),
  giveUp: () => Promise.reject(new Error('this kind should not be given up')),
};
const idle = { [ANALYSE_FILE]: never, [ANALYSE_URL]: never } as unknown as JobHandlers;

/** Polls until `check` holds; the deadline only turns a hang into a failure. */
const until = (what: string, check: () => Promise<boolean> | boolean) => waitFor(what, check, 60_000);

const counted = (queue: JobQueue, expected: Partial<JobCounts>) => async () => {
  const counts = await queue.counts();
  return Object.entries(expected).every(([k, v]) => counts[k as keyof JobCounts] === v);
};

const payload: AnalyseFilePayload = { analysisId: 'a1', sha256: 'f'.repeat(64) };

for (const queueKind of ['sqlite', 'bullmq'] as const) {
  test(`${queueKind}: ` + 'a job that succeeds runs once with its payload and is done', async () => {
    const seen: unknown[] = [];
    const t = await setup({ [ANALYSE_FILE]: { run: async (p) => void seen.push(p), giveUp: never.giveUp } }, undefined, { queue: queueKind });
    try {
      t.runner().start();
      await t.queue.enqueue(ANALYSE_FILE, payload);
      await until('the job to be done', counted(t.queue, { done: 1 }));
      assert.deepEqual(seen, [payload]);
    } finally {
      await t.close();
    }
  });
}

test('a failing job is retried after the backoff, and one that then succeeds is not given up', async () => {
  let runs = 0;
  const delays: number[] = [];
  const policy: GiveUpPolicy = { maxAttempts: 5, retryDelayMs: (attempts) => (delays.push(attempts), 60_000) };
  const t = await setup(
    {
      [ANALYSE_FILE]: {
        run: async () => {
          runs += 1;
          if (runs < 3) throw new Error(`flaky ${runs}`);
        },
        giveUp: never.giveUp,
      },
    },
    policy,
  );
  try {
    t.runner().start();
    await t.queue.enqueue(ANALYSE_FILE, payload);
    await until('the first failure', () => runs === 1 && counted(t.queue, { pending: 1, running: 0 })());
    assert.equal(runs, 1);
    assert.equal(await t.queue.claim('someone-else', 1000), undefined, 'not runnable before its backoff has passed');
    clockMs += 60_000;
    await until('the second failure', () => runs === 2 && counted(t.queue, { pending: 1, running: 0 })());
    clockMs += 60_000;
    await until('the job to be done', counted(t.queue, { done: 1 }));
    assert.equal(runs, 3);
    assert.deepEqual(delays, [1, 2], 'the policy is asked with the attempt that failed');
  } finally {
    await t.close();
  }
});

for (const queueKind of ['sqlite', 'bullmq'] as const) {
  test(`${queueKind}: ` + 'after the last attempt the kind is given up once, with the last error, and the job fails for good', async () => {
    let runs = 0;
    const givenUp: Array<{ payload: unknown; error: string }> = [];
    const t = await setup({
      [ANALYSE_FILE]: {
        run: async () => {
          runs += 1;
          throw new Error(`broken ${runs}`);
        },
        giveUp: async (p, error) => void givenUp.push({ payload: p, error: (error as Error).message }),
      },
    }, undefined, { queue: queueKind });
    try {
      t.runner().start();
      await t.queue.enqueue(ANALYSE_FILE, payload);
      await until('the job to fail for good', counted(t.queue, { failed: 1 }));
      assert.equal(runs, 3);
      assert.deepEqual(givenUp, [{ payload, error: 'broken 3' }]);
      assert.equal(await t.queue.claim('someone-else', 1000), undefined, 'a given-up job is not run again');
    } finally {
      await t.close();
    }
  });
}

for (const queueKind of ['sqlite', 'bullmq'] as const) {
  test(`${queueKind}: ` + 'a give-up that throws still leaves the job failed, not retried', async () => {
    let giveUps = 0;
    const t = await setup({
      [ANALYSE_FILE]: {
        run: () => Promise.reject(new Error('broken')),
        giveUp: async () => {
          giveUps += 1;
          throw new Error('the store is gone too');
        },
      },
    }, undefined, { queue: queueKind });
    try {
      t.runner().start();
      await t.queue.enqueue(ANALYSE_FILE, payload);
      await until('the job to fail for good', counted(t.queue, { failed: 1 }));
      assert.equal(giveUps, 1);
    } finally {
      await t.close();
    }
  });
}

for (const queueKind of ['sqlite', 'bullmq'] as const) {
  test(`${queueKind}: ` + 'a job of a kind this version does not know fails after the attempts, running nothing', async () => {
    const t = await setup({}, undefined, { queue: queueKind });
    try {
      t.runner().start();
      await t.queue.enqueue('from-a-newer-version', { x: 1 });
      await until('the unknown job to fail for good', counted(t.queue, { failed: 1 }));
    } finally {
      await t.close();
    }
  });
}

test('stopping aborts a running job without failing or giving it up; another runner claims it once the lease lapses', async () => {
  let started = 0;
  let finished = 0;
  const t = await setup({
    [ANALYSE_FILE]: {
      run: (_p, signal) => {
        started += 1;
        if (started > 1) return Promise.resolve(void (finished += 1));
        // The first run hangs until the runner stops and aborts it.
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
      },
      giveUp: never.giveUp,
    },
  });
  try {
    const first = t.runner();
    first.start();
    await t.queue.enqueue(ANALYSE_FILE, payload);
    await until('the job to start', () => started === 1);
    await first.stop();
    assert.deepEqual(await t.queue.counts(), { pending: 0, running: 1, done: 0, failed: 0 }, 'still leased: neither failed nor retried');
    const second = t.runner();
    second.start();
    clockMs += 31_000;
    await until('the job to be done by the second runner', counted(t.queue, { done: 1 }));
    assert.equal(finished, 1);
  } finally {
    await t.close();
  }
});

for (const queueKind of ['sqlite', 'bullmq'] as const) {
  test(`${queueKind}: a kind at its limit waits while other kinds use the free slots`, async () => {
    const release: Array<() => void> = [];
    let urlsRunning = 0;
    let mostUrls = 0;
    let filesDone = 0;
    const t = await setup(
      {
        [ANALYSE_URL]: {
          run: () => {
            urlsRunning += 1;
            mostUrls = Math.max(mostUrls, urlsRunning);
            return new Promise<void>((resolve) => release.push(() => ((urlsRunning -= 1), resolve())));
          },
          giveUp: never.giveUp,
        },
        [ANALYSE_FILE]: { run: async () => void (filesDone += 1), giveUp: never.giveUp },
      },
      undefined,
      { queue: queueKind, concurrency: 4, kindLimits: { [ANALYSE_URL]: 1 } },
    );
    try {
      for (let i = 0; i < 3; i++) await t.queue.enqueue(ANALYSE_URL, { analysisId: `u${i}`, urlId: `u${i}` });
      for (let i = 0; i < 5; i++) await t.queue.enqueue(ANALYSE_FILE, { analysisId: `f${i}`, sha256: 'f'.repeat(64) });
      t.runner().start();
      await until('the files to be done beside one URL job', () => filesDone === 5 && urlsRunning === 1);
      for (let done = 1; done <= 3; done++) {
        await until(`URL job ${done} to run`, () => release.length === done);
        release[done - 1]!();
      }
      await until('every job to be done', counted(t.queue, { done: 8 }));
      assert.equal(mostUrls, 1, 'never two URL jobs at once');
    } finally {
      await t.close();
    }
  });
}

test('a job whose workers keep dying is given up once its attempts run out, without running it again', async () => {
  let runs = 0;
  const givenUp: string[] = [];
  const t = await setup({
    [ANALYSE_FILE]: {
      run: async () => void (runs += 1),
      giveUp: async (_p, error) => void givenUp.push((error as Error).message),
    },
  });
  try {
    await t.queue.enqueue(ANALYSE_FILE, payload);
    // Three workers claim it and die (their leases lapse): the policy allows 3 attempts.
    for (let i = 0; i < 3; i++) {
      assert.ok(await t.queue.claim(`doomed-${i}`, 1000));
      clockMs += 1001;
    }
    t.runner().start();
    await until('the job to fail for good', counted(t.queue, { failed: 1 }));
    assert.equal(runs, 0, 'not run a fourth time');
    assert.match(givenUp[0] ?? '', /claimed 4 times/);
  } finally {
    await t.close();
  }
});
