/** copyTables from SQLite into PostgreSQL: rows arrive unchanged as the stores read them, in batches, and a target with rows is refused. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { dropTestDatabases, testDatabaseUrl } from '../../../test/support/postgres.js';
import { DbJobQueue } from '../../queue/db/db-job-queue.js';
import { openPostgres } from '../postgres/open-postgres.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import { copyTables, countRows } from './copy-tables.js';

after(() => dropTestDatabases());

test('every row of every table arrives, reads back the same through the store, and a second copy is refused', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'assay-copy-tables-'));
  const source = await openSqlite(path.join(dir, 'assay.db'));
  const target = await openPostgres(await testDatabaseUrl());
  try {
    await source.store.migrate();
    await target.store.migrate();
    // More rows than one insert batch holds, with JSON text, nulls and large integers.
    const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
    for (let i = 0; i < 1_234; i++) {
      await source.store.files.recordSubmission({ md5: hex(i, 32), sha1: hex(i, 40), sha256: hex(i, 64), size: 2 ** 40 + i, name: i % 2 ? `file-${i}.bin` : undefined, at: 1_700_000_000 + i });
    }
    const queue = new DbJobQueue(source.db);
    await queue.enqueue('analyse-file', { n: 1 }, { priority: 'bulk' });
    const copies = await copyTables(source.db, target.db);
    const tables = copies.map((c) => c.table);
    assert.ok(tables.includes('files') && tables.includes('jobs') && tables.includes('users'));
    assert.ok(tables.indexOf('users') < tables.indexOf('api_keys'), 'parents before children');
    assert.deepEqual(await countRows(target.db, tables), await countRows(source.db, tables));
    assert.equal(copies.find((c) => c.table === 'files')?.rows, 1_234);
    for (const i of [0, 1, 777, 1_233]) {
      const copied = await target.store.files.findByHash('sha256', hex(i, 64));
      assert.equal(copied?.size, 2 ** 40 + i);
      assert.deepEqual(copied, await source.store.files.findByHash('sha256', hex(i, 64)));
    }
    const job = await new DbJobQueue(target.db).claim('w', 1000);
    assert.deepEqual(job?.payload, { n: 1 });
    await assert.rejects(copyTables(source.db, target.db), /not empty/);
  } finally {
    await target.store.close();
    await source.store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
