/** Tranco-style popularity lists into a real SQLite store: ranks by domain, bad lines skipped, re-import replaces. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import type { Store } from '../../store/ports/store.js';
import { importPopularity } from './import-popularity.js';

let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-popularity-'));
  store = (await openSqlite(path.join(dir, 'assay.db'))).store;
  await store.migrate();
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('ranks are imported by normalised domain; bad lines are counted and skipped; a re-import replaces', async () => {
  const file = path.join(dir, 'top-1m.csv');
  await writeFile(file, '1,google.com\n2,Facebook.COM\nbad line\n0,zero.com\n3,münchen.de\n4,not a domain\n');
  const first = await importPopularity({ store, now: () => 1_700_000_000_000 }, { source: file });
  assert.deepEqual({ name: first.name, entries: first.entries, skipped: first.skipped }, { name: 'Tranco', entries: 3, skipped: 3 });
  assert.deepEqual(await store.popularity.ranksOf('facebook.com'), { Tranco: { rank: 2, timestamp: 1_700_000_000 } });
  assert.deepEqual(await store.popularity.ranksOf('xn--mnchen-3ya.de'), { Tranco: { rank: 3, timestamp: 1_700_000_000 } });

  await writeFile(file, '1,facebook.com\n');
  await importPopularity({ store, now: () => 1_700_100_000_000 }, { source: file });
  assert.deepEqual(await store.popularity.ranksOf('facebook.com'), { Tranco: { rank: 1, timestamp: 1_700_100_000 } });
  assert.deepEqual(await store.popularity.ranksOf('google.com'), {}, 'the previous list is gone');
});
