/**
 * The QuotaCounters contract: the SQL adapters (SQLite, PostgreSQL) and Redis run this suite
 * unchanged. Not a test file by itself; each adapter's test calls `runQuotaCountersContract`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QuotaCheck, QuotaCounters } from './ports/quota-counters.js';

export interface OpenedCounters {
  counters: QuotaCounters;
  close(): Promise<void>;
}

const T0 = 1_700_000_000;
const check = (key: string, limit: number | null, expiresAt = T0 + 60): QuotaCheck => ({ key, limit, expiresAt });

/** `open` gives counters nobody else uses (a fresh database, or a fresh key prefix); the suite closes them. */
export function runQuotaCountersContract(name: string, open: () => Promise<OpenedCounters>): void {
  async function withCounters(use: (counters: QuotaCounters) => Promise<void>): Promise<void> {
    const opened = await open();
    try {
      await use(opened.counters);
    } finally {
      await opened.close();
    }
  }

  describe(`QuotaCounters contract: ${name}`, () => {
    test('a fresh counter admits up to its limit, then refuses without counting', () =>
      withCounters(async (c) => {
        for (let n = 1; n <= 3; n++) assert.deepEqual(await c.admit([check('k', 3)], T0), { admitted: true, counts: [n] });
        assert.deepEqual(await c.admit([check('k', 3)], T0), { admitted: false, exhausted: 0, count: 3 });
        assert.deepEqual(await c.read(['k'], T0), [3]);
      }));

    test('a null limit counts without ever refusing', () =>
      withCounters(async (c) => {
        for (let n = 1; n <= 10; n++) assert.deepEqual(await c.admit([check('free', null)], T0), { admitted: true, counts: [n] });
        assert.deepEqual(await c.read(['free'], T0), [10]);
      }));

    test('all or nothing across keys: one exhausted counter leaves the others unchanged', () =>
      withCounters(async (c) => {
        const checks = [check('a', 10), check('b', 1), check('c', null)];
        assert.deepEqual(await c.admit(checks, T0), { admitted: true, counts: [1, 1, 1] });
        assert.deepEqual(await c.admit(checks, T0), { admitted: false, exhausted: 1, count: 1 });
        assert.deepEqual(await c.read(['a', 'b', 'c'], T0), [1, 1, 1]);
        assert.deepEqual(await c.admit([check('a', 10), check('c', null)], T0), { admitted: true, counts: [2, 2] });
      }));

    test('the first exhausted counter in check order is the one reported', () =>
      withCounters(async (c) => {
        await c.admit([check('x', 1), check('y', 1)], T0);
        assert.deepEqual(await c.admit([check('y', 1), check('x', 1)], T0), { admitted: false, exhausted: 0, count: 1 });
        assert.deepEqual(await c.admit([check('z', 5), check('x', 1)], T0), { admitted: false, exhausted: 1, count: 1 });
        assert.deepEqual(await c.read(['z'], T0), [0]);
      }));

    test('a counter expires at expiresAt by the caller\'s clock and then counts from zero', () =>
      withCounters(async (c) => {
        assert.equal((await c.admit([check('w', 1, T0 + 60)], T0)).admitted, true);
        assert.deepEqual(await c.admit([check('w', 1, T0 + 60)], T0 + 59), { admitted: false, exhausted: 0, count: 1 });
        assert.deepEqual(await c.read(['w'], T0 + 59), [1]);
        assert.deepEqual(await c.read(['w'], T0 + 60), [0]);
        assert.deepEqual(await c.admit([check('w', 1, T0 + 120)], T0 + 60), { admitted: true, counts: [1] });
        assert.deepEqual(await c.read(['w'], T0 + 119), [1]);
        assert.deepEqual(await c.read(['w'], T0 + 120), [0]);
      }));

    test('reading absent keys gives zeros; nothing to check admits', () =>
      withCounters(async (c) => {
        assert.deepEqual(await c.read(['none', 'other'], T0), [0, 0]);
        assert.deepEqual(await c.read([], T0), []);
        assert.deepEqual(await c.admit([], T0), { admitted: true, counts: [] });
      }));

    test('the same key twice in one admit is a programming error', () =>
      withCounters(async (c) => {
        await assert.rejects(c.admit([check('d', 1), check('d', 2)], T0), /duplicate/);
      }));

    test('100 concurrent admits on a fresh key with limit 4 admit exactly 4', () =>
      withCounters(async (c) => {
        const outcomes = await Promise.all(Array.from({ length: 100 }, () => c.admit([check('burst', 4)], T0)));
        assert.equal(outcomes.filter((o) => o.admitted).length, 4);
        assert.deepEqual(
          outcomes.flatMap((o) => (o.admitted ? o.counts : [])).sort(),
          [1, 2, 3, 4],
          'each admitted request saw its own count',
        );
        assert.deepEqual(await c.read(['burst'], T0), [4]);
      }));

    test('concurrent admits over the same keys in either order: exact, and no deadlock', () =>
      withCounters(async (c) => {
        const outcomes = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            c.admit(i % 2 === 0 ? [check('user', 4), check('group', null)] : [check('group', null), check('user', 4)], T0),
          ),
        );
        assert.equal(outcomes.filter((o) => o.admitted).length, 4);
        assert.deepEqual(await c.read(['user', 'group'], T0), [4, 4], 'the uncapped counter moved only with admitted requests');
      }));

    test('usage per user, day and endpoint group', () =>
      withCounters(async (c) => {
        await c.recordUsage('alice', '2025-01-01', 'files');
        await c.recordUsage('alice', '2025-01-01', 'files');
        await c.recordUsage('alice', '2025-01-01', 'analyses');
        await c.recordUsage('alice', '2025-01-03', 'files');
        await c.recordUsage('alice', '2024-12-31', 'files');
        await c.recordUsage('bob', '2025-01-01', 'files');
        assert.deepEqual(await c.usage('alice', '2025-01-01', '2025-01-03'), {
          '2025-01-01': { analyses: 1, files: 2 },
          '2025-01-03': { files: 1 },
        });
        assert.deepEqual(await c.usage('bob', '2025-01-01', '2025-01-01'), { '2025-01-01': { files: 1 } });
        assert.deepEqual(await c.usage('carol', '2025-01-01', '2025-01-31'), {});
        await Promise.all(Array.from({ length: 50 }, () => c.recordUsage('bob', '2025-01-02', 'files')));
        assert.deepEqual(await c.usage('bob', '2025-01-02', '2025-01-02'), { '2025-01-02': { files: 50 } });
        await c.recordUsage('bob', '2025-01-02', 'files', 25);
        assert.deepEqual(await c.usage('bob', '2025-01-02', '2025-01-02'), { '2025-01-02': { files: 75 } });
      }));

    test('a batch adds its amount at once, and restarts an expired counter from the amount', () =>
      withCounters(async (c) => {
        assert.deepEqual(await c.admit([{ ...check('batch', null, T0 + 60), by: 7 }, check('single', null, T0 + 60)], T0), { admitted: true, counts: [7, 1] });
        assert.deepEqual(await c.admit([{ ...check('batch', null, T0 + 60), by: 5 }], T0 + 1), { admitted: true, counts: [12] });
        assert.deepEqual(await c.read(['batch', 'single'], T0 + 1), [12, 1]);
        assert.deepEqual(await c.admit([{ ...check('batch', null, T0 + 120), by: 3 }], T0 + 60), { admitted: true, counts: [3] });
      }));
  });
}
