/** The store-only services over a real SQLite store: the operator principal may do what an admin may; anyone else is refused. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { isAppError } from '../core/errors.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { operatorPrincipal } from './accounts/operator.js';
import { principalOf } from './accounts/index.js';
import { createStoreServices } from './store-services.js';

const dir = await mkdtemp(path.join(tmpdir(), 'assay-store-services-'));
const { store } = await openSqlite(path.join(dir, 'db.sqlite'));
await store.migrate();
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});
const services = createStoreServices({ store, now: () => 1_700_000_000_000 });
const forbidden = (e: unknown) => isAppError(e) && e.code === 'ForbiddenError';

test('the operator manages users and imports feeds; the operator is no user', async () => {
  const { view, apiKey } = await services.accounts.createUser({ name: 'dana', tier: 'public' }, operatorPrincipal);
  assert.equal(view.user.id, 'dana');
  assert.match(apiKey, /^[0-9a-f]{64}$/);
  const page = await services.accounts.listUsers(operatorPrincipal, { limit: 10 });
  assert.deepEqual(page.items.map((v) => v.user.name), ['dana']);

  const feed = path.join(dir, 'feed.txt');
  await writeFile(feed, 'https://phish.example/login\nhttps://other.example/a\n');
  const imported = await services.feeds.importFeed({ format: 'openphish', source: feed }, operatorPrincipal);
  assert.equal(imported.entries, 2);
  assert.deepEqual((await services.feeds.list(operatorPrincipal)).map((f) => [f.name, f.entries]), [['OpenPhish', 2]]);
});

test('a user who is not an admin may not import or list feeds, nor list users', async () => {
  const { view } = await services.accounts.createUser({ name: 'eve' }, operatorPrincipal);
  const eve = principalOf(view.user);
  await assert.rejects(services.feeds.list(eve), forbidden);
  await assert.rejects(services.feeds.importPopularity({ source: path.join(dir, 'none.csv') }, eve), forbidden);
  await assert.rejects(services.accounts.listUsers(eve, { limit: 10 }), forbidden);
});
