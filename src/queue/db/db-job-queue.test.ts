/** DbJobQueue against the JobQueue contract, on SQLite and on PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { dropTestDatabases, testDatabaseUrl } from '../../../test/support/postgres.js';
import { openPostgres } from '../../store/postgres/open-postgres.js';
import type { SqlBackend } from '../../store/sql/sql-store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { runJobQueueContract, type JobQueueHarness } from '../contract.case.test.js';
import { DbJobQueue } from './db-job-queue.js';

const dir = await mkdtemp(path.join(tmpdir(), 'assay-queue-'));
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

/** Every `open` is a new backend (connection) on one database, migrated by the first. */
async function harnessOver(openBackend: () => Promise<SqlBackend>): Promise<JobQueueHarness> {
  const backends: SqlBackend[] = [];
  const queues: DbJobQueue[] = [];
  return {
    clock: 'manual',
    async open(now) {
      const backend = await openBackend();
      if (backends.length === 0) await backend.store.migrate();
      backends.push(backend);
      const queue = new DbJobQueue(backend.db, { now });
      queues.push(queue);
      return queue;
    },
    async dispose() {
      await Promise.all(queues.map((q) => q.close()));
      await Promise.all(backends.map((b) => b.store.close()));
    },
  };
}

let counter = 0;
runJobQueueContract('db (sqlite)', async () => {
  const file = path.join(dir, `queue-${++counter}.db`);
  return harnessOver(() => openSqlite(file));
});

runJobQueueContract('db (postgres)', async () => {
  const url = await testDatabaseUrl();
  return harnessOver(() => openPostgres(url));
});
