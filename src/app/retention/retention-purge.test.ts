/** The retention purge on a real store, SQLite and PostgreSQL: rows past the policy go, rows within it stay, unfinished jobs always stay. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Migrator, sql, type MigrationProvider } from 'kysely';
import { dropTestDatabases, testDatabaseUrl } from '../../../test/support/postgres.js';
import { DbJobQueue } from '../../queue/db/db-job-queue.js';
import { FsBlobStore } from '../../store/blob-fs/fs-blob-store.js';
import { migrationsFor } from '../../store/migrations/index.js';
import { openPostgres } from '../../store/postgres/open-postgres.js';
import type { Store } from '../../store/ports/store.js';
import type { SqlBackend } from '../../store/sql/sql-store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { purgeExpired, RetentionScheduler, type RetentionPolicy } from './retention-purge.js';

const dir = await mkdtemp(path.join(tmpdir(), 'assay-retention-'));
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 5, 15, 12);
const policy: RetentionPolicy = { jobsDays: 7, intelCacheGraceDays: 7, apiUsageDays: 70, stagingHours: 6 };
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function countOf(backend: SqlBackend, table: 'jobs' | 'intel_cache' | 'upload_tokens' | 'quota_counters' | 'api_usage'): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(backend.db);
  return Number(rows[0]!.n);
}

/** A job through the real queue, its clock at `at`: left pending, claimed (running), done or failed. */
async function job(backend: SqlBackend, at: number, outcome: 'pending' | 'running' | 'done' | 'failed'): Promise<string> {
  const queue = new DbJobQueue(backend.db, { now: () => at });
  const id = await queue.enqueue('test', { at, outcome });
  if (outcome === 'pending') return id;
  const claimed = await queue.claim('w', 365 * DAY);
  assert.equal(claimed?.id, id);
  if (outcome === 'done') await queue.complete(id, 'w');
  if (outcome === 'failed') await queue.fail(id, 'w', 'boom', null);
  return id;
}

async function statuses(backend: SqlBackend): Promise<string[]> {
  const rows = await backend.db.selectFrom('jobs').select(['status', 'payload']).orderBy('created_at').execute();
  return rows.map((r) => `${r.status}@${(JSON.parse(r.payload) as { at: number }).at}`);
}

function retentionCases(name: string, open: () => Promise<SqlBackend>): void {
  describe(name, () => {
    test('every table: rows past the policy are purged, rows within it stay, unfinished jobs are never purged', async () => {
      const backend = await open();
      const { store } = backend;
      try {
        await store.migrate();
        // Jobs: finished ones either side of 7 days; unfinished ones older than any policy (made
        // last, since a claim takes the oldest runnable job).
        await job(backend, T - 9 * DAY, 'done');
        await job(backend, T - 8 * DAY, 'failed');
        await job(backend, T - 6 * DAY, 'done');
        await job(backend, T - 1 * HOUR, 'failed');
        await job(backend, T - 50 * DAY, 'running');
        await job(backend, T - 60 * DAY, 'pending');
        // Intel cache: expired 8 days ago (past the 7-day grace), 6 days ago, not yet.
        for (const [key, expiresAt] of [['old', T - 8 * DAY], ['stale', T - 6 * DAY], ['fresh', T + DAY]] as const) {
          await store.intelCache.put('dns', key, { value: { key }, fetchedAt: expiresAt - DAY, expiresAt });
        }
        // Upload tokens and quota counters (seconds): expired 2 hours ago go; 10 minutes ago (within the hour's margin) and future stay.
        await store.users.create({ id: 'u', name: 'u', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
        const s = (ms: number) => Math.floor(ms / 1000);
        for (const [hash, expiresAt] of [['t-old', T - 2 * HOUR], ['t-recent', T - 10 * 60_000], ['t-live', T + HOUR]] as const) {
          await store.uploadTokens.create({ tokenHash: hash, userId: 'u', expiresAt: s(expiresAt) });
        }
        for (const [key, expiresAt] of [['q-old', T - 2 * HOUR], ['q-recent', T - 10 * 60_000], ['q-live', T + HOUR]] as const) {
          await store.quotaCounters.admit([{ key, limit: null, expiresAt: s(expiresAt) }], s(expiresAt) - 60);
        }
        // API usage: 71 days ago goes, 69 days ago stays.
        await store.quotaCounters.recordUsage('u', day(T - 71 * DAY), 'files');
        await store.quotaCounters.recordUsage('u', day(T - 69 * DAY), 'files');
        await store.quotaCounters.recordUsage('u', day(T), 'files');
        // Staging: a leftover untouched for 7 hours, and a file being written now.
        const blobs = new FsBlobStore(path.join(dir, `${name}-blobs`), { now: () => T });
        const leftover = await blobs.stage();
        await blobs.withStagedFile(leftover, async (file) => {
          await writeFile(file, 'partial');
          await utimes(file, (T - 7 * HOUR) / 1000, (T - 7 * HOUR) / 1000);
        });
        const current = await blobs.stage();
        const currentPath = await blobs.withStagedFile(current, async (file) => {
          await writeFile(file, 'in progress');
          await utimes(file, T / 1000, T / 1000);
          return file;
        });

        const purged = await purgeExpired({ store, staging: blobs, now: () => T, policy });

        assert.deepEqual(purged, { jobs: 2, intelCache: 1, uploadTokens: 1, quotaCounters: 1, apiUsage: 1, staging: 1 });
        assert.deepEqual(await statuses(backend), [`pending@${T - 60 * DAY}`, `running@${T - 50 * DAY}`, `done@${T - 6 * DAY}`, `failed@${T - HOUR}`], 'unfinished jobs stay whatever their age');
        assert.equal(await store.intelCache.get('dns', 'old'), undefined);
        assert.ok(await store.intelCache.get('dns', 'stale'), 'an entry within its grace is still served stale');
        assert.ok(await store.intelCache.get('dns', 'fresh'));
        const tokens = await backend.db.selectFrom('upload_tokens').select('token_hash').orderBy('token_hash').execute();
        assert.deepEqual(tokens.map((t) => t.token_hash), ['t-live', 't-recent']);
        const counters = await backend.db.selectFrom('quota_counters').select('counter_key').orderBy('counter_key').execute();
        assert.deepEqual(counters.map((c) => c.counter_key), ['q-live', 'q-recent']);
        assert.deepEqual(Object.keys(await store.quotaCounters.usage('u', '2000-01-01', '2100-01-01')), [day(T - 69 * DAY), day(T)]);
        assert.deepEqual(await readdir(path.dirname(currentPath)), [path.basename(currentPath)]);

        // A second purge finds nothing more.
        assert.deepEqual(await purgeExpired({ store, staging: blobs, now: () => T, policy }), {
          jobs: 0,
          intelCache: 0,
          uploadTokens: 0,
          quotaCounters: 0,
          apiUsage: 0,
          staging: 0,
        });
      } finally {
        await store.close();
      }
    });

    test('jobs finished before migration 0008 are dated by their creation', async () => {
      const backend = await open();
      const { store, db, dialect } = backend;
      try {
        const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
        assert.equal((await new Migrator({ db, provider }).migrateTo('0007-private-scopes')).error, undefined);
        for (const [id, status, createdAt] of [['j-old', 'done', T - 30 * DAY], ['j-new', 'failed', T - DAY], ['j-waiting', 'pending', T - 30 * DAY]] as const) {
          await sql`INSERT INTO jobs (id, kind, payload, status, attempts, run_after, created_at) VALUES (${id}, 'test', '{}', ${status}, 1, ${createdAt}, ${createdAt})`.execute(db);
        }
        assert.equal((await store.migrate())[0], '0008-retention');
        assert.equal((await purgeExpired({ store, now: () => T, policy })).jobs, 1);
        const left = await db.selectFrom('jobs').select('id').orderBy('id').execute();
        assert.deepEqual(left.map((j) => j.id), ['j-new', 'j-waiting']);
      } finally {
        await store.close();
      }
    });

    test('purges in batches of the given size until none is left, and stops at maxBatches', async () => {
      const backend = await open();
      const { store } = backend;
      try {
        await store.migrate();
        for (let i = 0; i < 7; i++) await job(backend, T - (20 + i) * DAY, 'done');
        await job(backend, T - 30 * DAY, 'running');
        const calls: number[] = [];
        const r = store.retention;
        const counting: Pick<Store, 'retention'> = {
          retention: {
            async purgeFinishedJobs(before, limit) {
              const n = await r.purgeFinishedJobs(before, limit);
              calls.push(n);
              return n;
            },
            purgeIntelCache: (before, limit) => r.purgeIntelCache(before, limit),
            purgeUploadTokens: (before, limit) => r.purgeUploadTokens(before, limit),
            purgeQuotaCounters: (before, limit) => r.purgeQuotaCounters(before, limit),
            purgeApiUsage: (before, limit) => r.purgeApiUsage(before, limit),
          },
        };
        const bounded = await purgeExpired({ store: counting, now: () => T, policy, batchSize: 2, maxBatches: 2 });
        assert.equal(bounded.jobs, 4);
        assert.deepEqual(calls, [2, 2]);
        assert.equal(await countOf(backend, 'jobs'), 4);
        calls.length = 0;
        const rest = await purgeExpired({ store: counting, now: () => T, policy, batchSize: 2 });
        assert.equal(rest.jobs, 3);
        assert.deepEqual(calls, [2, 1], 'a short batch ends the table');
        assert.deepEqual(await statuses(backend), [`running@${T - 30 * DAY}`]);
      } finally {
        await store.close();
      }
    });
  });
}

retentionCases('sqlite', () => openSqlite(path.join(dir, `retention-${Math.random().toString(36).slice(2)}.db`)));
retentionCases('postgres', async () => openPostgres(await testDatabaseUrl()));

describe('RetentionScheduler', () => {
  test('purges at start, logs what it purged, and logs a failure instead of throwing', async () => {
    const backend = await openSqlite(path.join(dir, 'scheduler.db'));
    try {
      await backend.store.migrate();
      await job(backend, T - 30 * DAY, 'done');
      const lines: Array<{ fields: object; message: string }> = [];
      const logger = { info: (fields: object, message: string) => lines.push({ fields, message }), warn: (fields: object, message: string) => lines.push({ fields, message }) };
      const scheduler = new RetentionScheduler({ store: backend.store, now: () => T, policy, logger }, 60_000);
      scheduler.start();
      const deadline = Date.now() + 30_000;
      while (lines.length === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      await scheduler.stop();
      assert.deepEqual(lines, [{ fields: { purged: { jobs: 1, intelCache: 0, uploadTokens: 0, quotaCounters: 0, apiUsage: 0, staging: 0 } }, message: 'retention purge' }]);

      const nothing = () => Promise.resolve(0);
      const failingRetention = { purgeIntelCache: nothing, purgeUploadTokens: nothing, purgeQuotaCounters: nothing, purgeApiUsage: nothing };
      const failing = new RetentionScheduler(
        { store: { retention: { ...failingRetention, purgeFinishedJobs: () => Promise.reject(new Error('disk gone')) } }, now: () => T, policy, logger },
        60_000,
      );
      lines.length = 0;
      failing.start();
      const until = Date.now() + 30_000;
      while (lines.length === 0 && Date.now() < until) await new Promise((resolve) => setImmediate(resolve));
      await failing.stop();
      assert.deepEqual(lines, [{ fields: { err: 'disk gone' }, message: 'retention purge failed; retried at the next interval' }]);
    } finally {
      await backend.store.close();
    }
  });
});
