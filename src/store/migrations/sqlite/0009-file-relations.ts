/** SQLite 0009: a file's submissions, and relation edges read backwards (itw_urls, compressed_parents). */
import { sqlMigration } from '../sql-migration.js';

export const fileRelationsSqlite = sqlMigration([
  // One row per accepted submission; `owner` is `*` for a public one, else the private owner,
  // so a private submission is listed only to those who see it.
  `CREATE TABLE submissions (
    id TEXT PRIMARY KEY NOT NULL,
    sha256 TEXT NOT NULL,
    date INTEGER NOT NULL,
    interface TEXT NOT NULL,
    name TEXT,
    source_key TEXT,
    owner TEXT NOT NULL
  ) STRICT`,
  `CREATE INDEX submissions_file_idx ON submissions (sha256, date, id)`,
  // Edges listed from their target: the URLs a file was downloaded from, the archives it was in.
  `CREATE INDEX relations_reverse_idx ON relations (to_type, to_id, name, from_type, last_seen, from_id)`,
]);
