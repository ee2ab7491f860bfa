/** SQLite quota counters against the contract, plus exactness when several processes share one file. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runQuotaCountersContract } from '../quota-counters.case.test.js';
import { openSqlite } from './open-sqlite.js';

const dir = await mkdtemp(path.join(tmpdir(), 'assay-sqlite-quota-'));
after(() => rm(dir, { recursive: true, force: true }));
let counter = 0;

async function openMigrated(file: string) {
  const { store } = await openSqlite(file);
  await store.migrate();
  return store;
}

runQuotaCountersContract('sqlite', async () => {
  const store = await openMigrated(path.join(dir, `store-${++counter}`, 'assay.db'));
  return { counters: store.quotaCounters, close: () => store.close() };
});

describe('sqlite quota counters', () => {
  // better-sqlite3 waits for a lock synchronously, so two connections in one thread would block
  // each other; sharing a file is a matter of processes (server, worker, CLI), tested as such.
  test('three processes on one file, 40 concurrent admits each, limit 4: exactly 4 in all', async () => {
    const file = path.join(dir, 'shared', 'assay.db');
    const setup = await openMigrated(file);
    await setup.close();
    const openSqliteUrl = new URL('./open-sqlite.ts', import.meta.url).href;
    const script = `
      const { openSqlite } = await import(${JSON.stringify(openSqliteUrl)});
      const { store } = await openSqlite(${JSON.stringify(file)});
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, () => store.quotaCounters.admit([{ key: 'k', limit: 4, expiresAt: 2000000000 }], 1700000000)),
      );
      await store.close();
      console.log(outcomes.filter((o) => o.admitted).length);
    `;
    const runOne = () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: path.dirname(fileURLToPath(import.meta.url)),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(Number(out.trim().split('\n').at(-1))) : reject(new Error(err))));
      });
    const admitted = await Promise.all([runOne(), runOne(), runOne()]);
    assert.equal(admitted.reduce((a, b) => a + b, 0), 4, `admitted per process: ${admitted.join(', ')}`);
    const after = await openMigrated(file);
    try {
      assert.deepEqual(await after.quotaCounters.read(['k'], 1_700_000_000), [4]);
    } finally {
      await after.close();
    }
  });

  test('counters and usage survive closing and reopening the file', async () => {
    const file = path.join(dir, 'reopen', 'assay.db');
    const before = await openMigrated(file);
    await before.quotaCounters.admit([{ key: 'k', limit: 2, expiresAt: 1_700_000_060 }], 1_700_000_000);
    await before.quotaCounters.recordUsage('alice', '2023-11-14', 'files');
    await before.close();
    const reopened = await openMigrated(file);
    try {
      assert.deepEqual(await reopened.quotaCounters.read(['k'], 1_700_000_001), [1]);
      assert.deepEqual(await reopened.quotaCounters.usage('alice', '2023-11-14', '2023-11-14'), { '2023-11-14': { files: 1 } });
    } finally {
      await reopened.close();
    }
  });
});
