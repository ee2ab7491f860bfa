/** SQLite 0002: groups; users gain privileges, a group, last login, email and quota overrides; keys gain a public id, a label and last use; private scanning's access rows. */
import { sqlMigration } from '../sql-migration.js';

export const accountsSqlite = sqlMigration([
  `CREATE TABLE groups (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    quota_overrides TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
  ) STRICT`,

  `ALTER TABLE users ADD COLUMN privileges TEXT NOT NULL DEFAULT '[]'`,
  `ALTER TABLE users ADD COLUMN group_id TEXT REFERENCES groups (id)`,
  `ALTER TABLE users ADD COLUMN last_login INTEGER`,
  `ALTER TABLE users ADD COLUMN email TEXT`,
  `ALTER TABLE users ADD COLUMN quota_overrides TEXT NOT NULL DEFAULT '{}'`,
  `CREATE INDEX users_group_idx ON users (group_id)`,

  // SQLite cannot add a NOT NULL column without a default; every insert gives key_id, and keys
  // made before this migration get one derived from their hash (which reveals nothing of the key).
  `ALTER TABLE api_keys ADD COLUMN key_id TEXT NOT NULL DEFAULT ''`,
  `ALTER TABLE api_keys ADD COLUMN label TEXT`,
  `ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER`,
  `UPDATE api_keys SET key_id = 'k_' || substr(key_hash, 1, 8)`,
  `CREATE UNIQUE INDEX api_keys_key_id_idx ON api_keys (key_id)`,

  // Private scanning: who may see a file (`*`: everyone; `user:<id>`, `group:<id>`), and the owner
  // of a private analysis. A file with no row predates private scanning and is public.
  `CREATE TABLE file_access (
    sha256 TEXT NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (sha256, owner)
  ) STRICT`,
  `CREATE TABLE analysis_owners (
    analysis_id TEXT PRIMARY KEY NOT NULL,
    owner TEXT NOT NULL
  ) STRICT`,
]);
