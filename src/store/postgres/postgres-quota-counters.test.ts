/** PostgreSQL quota counters against the contract, each test on a fresh database over a pool of 4 connections. */
import { after } from 'node:test';
import { dropTestDatabases, testDatabaseUrl } from '../../../test/support/postgres.js';
import { runQuotaCountersContract } from '../quota-counters.case.test.js';
import { openPostgres } from './open-postgres.js';

after(() => dropTestDatabases());

runQuotaCountersContract('postgres', async () => {
  const { store } = await openPostgres(await testDatabaseUrl(), { maxConnections: 4 });
  await store.migrate();
  return { counters: store.quotaCounters, close: () => store.close() };
});
