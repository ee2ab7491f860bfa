/** The job runner over a real queue (SQLite): success, retries with backoff, giving up once, unknown kinds, and stopping mid-job. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { DbJobQueue } from '../queue/db/db-job-queue.js';
import type { JobCounts } from '../queue/queue.js';
import type { SqlBackend } from '../store/sql/sql-store.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import type { GiveUpPolicy } from './give-up-policy.js';
import { ANALYSE_FILE, ANALYSE_URL, type AnalyseFilePayload } from './job-kinds.js';
import { JobRunner, type JobHandler, type JobHandlers } from './job-runner.js';

const logger = pino({ level: 'silent' });
const dir = await mkdtemp(path.join(tmpdir(), 'assay-runner-'));
after(() => rm(dir, { recursive: true, force: true }));

/** The queue's clock: backoff and lease expiry are moved by hand, never waited for. */
let clockMs = 1_700_000_000_000;
const now = () => clockMs;

let opened = 0;
async function setup(handlers: Partial<JobHandlers>, policy: GiveUpPolicy = { maxAttempts: 3, retryDelayMs: () => 0 }) {
  const backend: SqlBackend = await openSqlite(path.join(dir, `q${opened++}.sqlite`));
  await backend.store.migrate();
  const queue = new DbJobQueue(backend.db, { now });
  const runners: JobRunner[] = [];
  const runner = () => {
    const r = new JobRunner({ queue, handlers: { ...idle, ...handlers } as JobHandlers, concurrency: 2, leaseMs: 30_000, pollMs: 10, policy, logger });
    runners.push(r);
    return r;
  };
  return {
    queue,
    runner,
    async close() {
      await Promise.all(runners.map((r) => r.stop()));
      await queue.close();
      await backend.store.close();
    },
  };
}

const never: JobHandler<never> = {
  run: () => Promise.reject(new Error('this kind should not run')),
  giveUp: () => Promise.reject(new Error('this kind should not be given up')),
};
const idle = { [ANALYSE_FILE]: never, [ANALYSE_URL]: never } as unknown as JobHandlers;

/** Polls until `check` holds; the deadline only turns a hang into a failure. */
async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const counted = (queue: DbJobQueue, expected: Partial<JobCounts>) => async () => {
  const counts = await queue.counts();
  return Object.entries(expected).every(([k, v]) => counts[k as keyof JobCounts] === v);
};

const payload: AnalyseFilePayload = { analysisId: 'a1', sha256: 'f'.repeat(64) };

test('a job that succeeds runs once with its payload and is done', async () => {
  const seen: unknown[] = [];
  const t = await setup({ [ANALYSE_FILE]: { run: async (p) => void seen.push(p), giveUp: never.giveUp } });
  try {
    t.runner().start();
    await t.queue.enqueue(ANALYSE_FILE, payload);
    await until('the job to be done', counted(t.queue, { done: 1 }));
    assert.deepEqual(seen, [payload]);
  } finally {
    await t.close();
  }
});

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

test('after the last attempt the kind is given up once, with the last error, and the job fails for good', async () => {
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
  });
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

test('a give-up that throws still leaves the job failed, not retried', async () => {
  let giveUps = 0;
  const t = await setup({
    [ANALYSE_FILE]: {
      run: () => Promise.reject(new Error('broken')),
      giveUp: async () => {
        giveUps += 1;
        throw new Error('the store is gone too');
      },
    },
  });
  try {
    t.runner().start();
    await t.queue.enqueue(ANALYSE_FILE, payload);
    await until('the job to fail for good', counted(t.queue, { failed: 1 }));
    assert.equal(giveUps, 1);
  } finally {
    await t.close();
  }
});

test('a job of a kind this version does not know fails after the attempts, running nothing', async () => {
  const t = await setup({});
  try {
    t.runner().start();
    await t.queue.enqueue('from-a-newer-version', { x: 1 });
    await until('the unknown job to fail for good', counted(t.queue, { failed: 1 }));
  } finally {
    await t.close();
  }
});

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
