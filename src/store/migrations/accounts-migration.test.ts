/** Migration 0002-accounts on a store that already has users and keys (made under 0001): both dialects. */
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

const dir = await mkdtemp(path.join(tmpdir(), 'assay-migrate-'));
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropTestDatabases();
});

function upgradeCase(name: string, open: () => Promise<SqlBackend>): void {
  test(`${name}: keys made before 0002 get a public id from their hash, users get defaults`, async () => {
    const { db, dialect, store } = await open();
    try {
      const provider: MigrationProvider = { getMigrations: async () => migrationsFor(dialect) };
      const { error } = await new Migrator({ db, provider }).migrateTo('0001-initial');
      assert.equal(error, undefined);
      await sql`INSERT INTO users (id, name, is_admin, tier, active, created_at) VALUES ('old', 'old', 0, 'public', 1, 10)`.execute(db);
      for (const hash of ['ab'.repeat(32), 'cd'.repeat(32)]) {
        await sql`INSERT INTO api_keys (key_hash, user_id, created_at, revoked_at) VALUES (${hash}, 'old', 11, NULL)`.execute(db);
      }

      const applied = await store.migrate();
      assert.equal(applied[0], '0002-accounts');
      assert.ok(!applied.includes('0001-initial'));
      const keys = await store.apiKeys.listForUser('old');
      assert.deepEqual(keys.map((k) => [k.keyId, k.label, k.lastUsedAt]).sort(), [
        ['k_abababab', null, null],
        ['k_cdcdcdcd', null, null],
      ]);
      assert.deepEqual(await store.users.get('old'), {
        id: 'old',
        name: 'old',
        isAdmin: false,
        tier: 'public',
        active: true,
        createdAt: 10,
        privileges: [],
        groupId: null,
        lastLogin: null,
        email: null,
        quotaOverrides: {},
      });
      // New keys get random ids, unique alongside the derived ones.
      const fresh = await store.apiKeys.create({ keyHash: 'ef'.repeat(32), userId: 'old', createdAt: 12, revokedAt: null });
      assert.match(fresh.keyId, /^k_[0-9a-f]{8}$/);
    } finally {
      await store.close();
    }
  });
}

describe('migration 0002-accounts', () => {
  upgradeCase('sqlite', () => openSqlite(path.join(dir, 'upgrade.db')));
  upgradeCase('postgres', async () => openPostgres(await testDatabaseUrl()));
});
