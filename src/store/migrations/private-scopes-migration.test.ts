/** Migration 0007-private-scopes on a store with comments, votes and analyses of private files made before it: both dialects. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Migrator, sql, type MigrationProvider } from 'kysely';
import { dropTestDatabases, testDatabaseUrl } from '../../../test/support/postgres.js';
import { openPostgres } from '../postgres/open-postgres.js';
import type { SqlBackend } from '../sql/sql-store.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import { migrationsFor } from './index.js';

const dir = await mkdtemp(path.join(tmpdir(), 'assay-migrate-0007-'));
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

const PRIVATE = 'a'.repeat(64);
const PUBLIC = 'b'.repeat(64);

function upgradeCase(name: string, open: () => Promise<SqlBackend>): void {
  test(`${name}: what was written on a file private at upgrade time gets its owner's scope, and leaves the public record`, async () => {
    const { db, dialect, store } = await open();
    try {
      const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
      const { error } = await new Migrator({ db, provider }).migrateTo('0006-feed-generations');
      assert.equal(error, undefined);
      await sql`INSERT INTO groups (id, name, created_at) VALUES ('soc', 'soc', 1)`.execute(db);
      await sql`INSERT INTO users (id, name, is_admin, tier, active, created_at, group_id) VALUES ('alice', 'alice', 0, 'premium', 1, 1, 'soc')`.execute(db);
      for (const sha of [PRIVATE, PUBLIC]) {
        // As 0006 stored it: the private vote and private analysis are on the files row.
        const votes = sha === PRIVATE ? '{"harmless":0,"malicious":1}' : '{"harmless":1,"malicious":0}';
        await sql`INSERT INTO files (sha256, sha1, md5, size, names, times_submitted, first_submission_date, last_submission_date, last_analysis_id, last_analysis_date, last_analysis_results, last_analysis_stats, reputation, total_votes)
          VALUES (${sha}, ${sha.slice(0, 40)}, ${sha.slice(0, 32)}, 1, '[]', 2, 100, 200, ${`an-${sha[0]}`}, 150, '[]', '{}', ${sha === PRIVATE ? -1 : 1}, ${votes})`.execute(db);
        await sql`INSERT INTO analyses (id, item_type, item_id, status, date, results, stats, completed_at) VALUES (${`an-${sha[0]}`}, 'file', ${sha}, 'completed', 140, '[]', '{}', 150)`.execute(db);
        await sql`INSERT INTO comments (id, item_type, item_id, author_id, date, text, tags) VALUES (${`c-${sha[0]}`}, 'file', ${sha}, 'alice', 5, 'note #x', '["x"]')`.execute(db);
        await sql`INSERT INTO votes (id, item_type, item_id, user_id, verdict, value, date) VALUES (${`v-${sha[0]}`}, 'file', ${sha}, 'alice', ${sha === PRIVATE ? 'malicious' : 'harmless'}, ${sha === PRIVATE ? -1 : 1}, 5)`.execute(db);
      }
      await sql`INSERT INTO file_access (sha256, owner) VALUES (${PRIVATE}, 'group:soc'), (${PUBLIC}, '*')`.execute(db);
      await sql`INSERT INTO analysis_owners (analysis_id, owner) VALUES ('an-a', 'group:soc')`.execute(db);

      assert.equal((await store.migrate())[0], '0007-private-scopes');

      assert.equal((await store.comments.get('c-a'))?.visibility, 'group:soc');
      assert.equal((await store.comments.get('c-b'))?.visibility, '*');
      assert.equal((await store.votes.get('v-a'))?.visibility, 'group:soc');
      assert.equal((await store.votes.get('v-b'))?.visibility, '*');

      const priv = await store.files.findByHash('sha256', PRIVATE);
      assert.deepEqual([priv?.timesSubmitted, priv?.totalVotes, priv?.reputation, priv?.lastAnalysisId], [0, { harmless: 0, malicious: 0 }, 0, null]);
      assert.deepEqual(await store.files.privateSubmissions(PRIVATE, ['group:soc']), { timesSubmitted: 2, firstSubmissionDate: 100, lastSubmissionDate: 200 });
      assert.deepEqual(await store.votes.privateTotals({ type: 'file', id: PRIVATE }, ['group:soc']), { harmless: 0, malicious: 1, reputation: -1 });
      assert.equal((await store.analyses.latestPrivate(PRIVATE, ['group:soc']))?.id, 'an-a');

      const pub = await store.files.findByHash('sha256', PUBLIC);
      assert.deepEqual([pub?.timesSubmitted, pub?.totalVotes, pub?.reputation, pub?.lastAnalysisId], [2, { harmless: 1, malicious: 0 }, 1, 'an-b']);
      assert.equal(await store.files.privateSubmissions(PUBLIC, ['group:soc']), undefined);
    } finally {
      await store.close();
    }
  });
}

describe('migration 0007-private-scopes', () => {
  upgradeCase('sqlite', () => openSqlite(path.join(dir, 'assay.db')));
  upgradeCase('postgres', async () => openPostgres(await testDatabaseUrl()));
});
