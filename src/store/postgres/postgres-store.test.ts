/** The PostgreSQL adapter against the Store contract, each test on a fresh database. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dropTestDatabases, testDatabaseUrl } from '../../../test/support/postgres.js';
import { runStoreContract } from '../contract.case.test.js';
import { runHashListContract } from '../hash-list-contract.case.test.js';
import { openPostgres } from './open-postgres.js';

after(() => dropTestDatabases());

runStoreContract('postgres', async () => (await openPostgres(await testDatabaseUrl())).store);
runHashListContract('postgres', async () => (await openPostgres(await testDatabaseUrl())).store);

describe('postgres adapter', () => {
  test('returns BIGINT columns as numbers', async () => {
    const { store, dialect } = await openPostgres(await testDatabaseUrl());
    try {
      assert.equal(dialect, 'postgres');
      await store.migrate();
      const file = await store.files.recordSubmission({
        md5: 'a'.repeat(32),
        sha1: 'b'.repeat(40),
        sha256: 'c'.repeat(64),
        size: 3_000_000_000,
        at: 1_700_000_000,
      });
      const found = await store.files.findByHash('sha256', file.sha256);
      assert.equal(found?.size, 3_000_000_000);
      assert.equal(found?.firstSubmissionDate, 1_700_000_000);
    } finally {
      await store.close();
    }
  });

  test('migrating concurrently from several connections applies each migration once', async () => {
    const url = await testDatabaseUrl();
    const backends = await Promise.all(Array.from({ length: 4 }, () => openPostgres(url)));
    try {
      const results = await Promise.all(backends.map((b) => b.store.migrate()));
      assert.equal(results.filter((applied) => applied.length > 0).length, 1);
    } finally {
      await Promise.all(backends.map((b) => b.store.close()));
    }
  });

  test('an unreachable server fails at open', async () => {
    await assert.rejects(openPostgres('postgres://postgres@127.0.0.1:1/none'));
  });
});
