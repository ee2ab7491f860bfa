/** The hash-list part of the Store contract, run over every adapter (sqlite-store.test.ts, postgres-store.test.ts). Not a test on its own. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HashListEntry } from '../core/model/hash-list.js';
import type { Store } from './ports/store.js';

async function* batches(...lists: HashListEntry[][]): AsyncGenerator<HashListEntry[]> {
  for (const l of lists) yield l;
}

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const MD5 = 'c'.repeat(32);

export function runHashListContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name}: hash lists`, () => {
    test('replace stores the entries (duplicates collapse), find answers by any of a file\'s hashes', async () => {
      const store = await makeStore();
      try {
        await store.migrate();
        const n = await store.hashLists.replace(
          { name: 'MalwareBazaar', kind: 'known-bad', format: 'malwarebazaar', importedAt: 1_700_000_000, source: '/tmp/x.csv' },
          batches([{ hash: A, label: 'AgentTesla' }, { hash: MD5, label: null }], [{ hash: A, label: 'again' }]),
        );
        assert.equal(n, 2);
        const found = await store.hashLists.find([MD5, 'f'.repeat(40), A.toUpperCase()]);
        assert.deepEqual(
          found.sort((x, y) => x.hash.localeCompare(y.hash)),
          [
            { list: 'MalwareBazaar', kind: 'known-bad', hash: A, label: 'AgentTesla' },
            { list: 'MalwareBazaar', kind: 'known-bad', hash: MD5, label: null },
          ],
        );
      } finally {
        await store.close();
      }
    });

    test('a re-import replaces the list whole; lists keep their kind; other lists are untouched', async () => {
      const store = await makeStore();
      try {
        await store.migrate();
        await store.hashLists.replace({ name: 'bad', kind: 'known-bad', format: 'plain', importedAt: 1, source: null }, batches([{ hash: A, label: null }]));
        await store.hashLists.replace({ name: 'good', kind: 'known-good', format: 'plain', importedAt: 2, source: null }, batches([{ hash: B, label: null }]));
        await store.hashLists.replace({ name: 'bad', kind: 'known-bad', format: 'plain', importedAt: 3, source: null }, batches([{ hash: MD5, label: 'x' }]));
        assert.deepEqual(await store.hashLists.find([A]), []);
        assert.deepEqual(await store.hashLists.find([MD5, B]), [
          { list: 'bad', kind: 'known-bad', hash: MD5, label: 'x' },
          { list: 'good', kind: 'known-good', hash: B, label: null },
        ]);
        assert.deepEqual(
          (await store.hashLists.list()).map((l) => [l.name, l.kind, l.entries, l.importedAt]),
          [['bad', 'known-bad', 1, 3], ['good', 'known-good', 1, 2]],
        );
      } finally {
        await store.close();
      }
    });

    test('a failed import leaves the previous entries', async () => {
      const store = await makeStore();
      try {
        await store.migrate();
        await store.hashLists.replace({ name: 'bad', kind: 'known-bad', format: 'plain', importedAt: 1, source: null }, batches([{ hash: A, label: null }]));
        async function* failing(): AsyncGenerator<HashListEntry[]> {
          yield [{ hash: B, label: null }];
          throw new Error('download broke');
        }
        await assert.rejects(store.hashLists.replace({ name: 'bad', kind: 'known-bad', format: 'plain', importedAt: 2, source: null }, failing()), /download broke/);
        assert.equal((await store.hashLists.find([A])).length, 1);
        assert.equal((await store.hashLists.find([B])).length, 0);
      } finally {
        await store.close();
      }
    });
  });
}
