/** PostgreSQL 0010: imported hash lists (known-bad, known-good) and their entries, by generation as feeds are. */
import { sqlMigration } from '../sql-migration.js';

export const hashListsPostgres = sqlMigration([
  `CREATE TABLE hash_lists (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    entries INTEGER NOT NULL,
    imported_at BIGINT NOT NULL,
    source TEXT,
    entries_key TEXT NOT NULL
  )`,
  `CREATE TABLE hash_list_entries (
    list TEXT NOT NULL,
    hash TEXT NOT NULL,
    label TEXT,
    PRIMARY KEY (list, hash)
  )`,
  // Lookups are by hash across every list.
  `CREATE INDEX hash_list_entries_hash ON hash_list_entries (hash)`,
]);
