/** The SQLite adapter against the Store contract, plus what only SQLite has to get right: several processes on one file. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { runStoreContract } from '../contract.case.test.js';
import { runHashListContract } from '../hash-list-contract.case.test.js';
import { openSqlite } from './open-sqlite.js';

const dir = await mkdtemp(path.join(tmpdir(), 'assay-sqlite-'));
after(() => rm(dir, { recursive: true, force: true }));
let counter = 0;

runStoreContract('sqlite', async () => (await openSqlite(path.join(dir, `store-${++counter}`, 'assay.db'))).store);
runHashListContract('sqlite', async () => (await openSqlite(path.join(dir, `store-${++counter}`, 'assay.db'))).store);

describe('sqlite adapter', () => {
  test('opens with WAL, foreign keys and a busy timeout, creating the parent directory', async () => {
    const { db, dialect, store } = await openSqlite(path.join(dir, 'nested', 'deeper', 'assay.db'));
    try {
      assert.equal(dialect, 'sqlite');
      const one = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      const pragmas = {
        journal: await one('journal_mode'),
        foreignKeys: await one('foreign_keys'),
        busy: await one('busy_timeout'),
        synchronous: await one('synchronous'),
      };
      assert.deepEqual(pragmas, { journal: 'wal', foreignKeys: 1, busy: 10_000, synchronous: 1 });
    } finally {
      await store.close();
    }
  });

  test('processes opening and migrating one file at the same time all succeed', async () => {
    const file = path.join(dir, 'shared', 'assay.db');
    const openSqliteUrl = new URL('./open-sqlite.ts', import.meta.url).href;
    const script = `
      const { openSqlite } = await import(${JSON.stringify(openSqliteUrl)});
      const { store } = await openSqlite(${JSON.stringify(file)});
      const applied = await store.migrate();
      await store.files.recordSubmission({ md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64), size: 1, name: 'p' + process.pid, at: 1 });
      await store.close();
      console.log(JSON.stringify(applied));
    `;
    const runOne = () =>
      new Promise<string[]>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
          cwd: path.dirname(fileURLToPath(import.meta.url)),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(err))));
      });
    const results = await Promise.all([runOne(), runOne(), runOne()]);
    assert.equal(results.filter((applied) => applied.length > 0).length, 1, 'exactly one process applied the migrations');

    const { store } = await openSqlite(file);
    try {
      assert.deepEqual(await store.migrate(), []);
      const shared = await store.files.findByHash('sha256', 'c'.repeat(64));
      assert.equal(shared?.timesSubmitted, 3);
      assert.equal(shared?.names.length, 3);
    } finally {
      await store.close();
    }
  });
});
