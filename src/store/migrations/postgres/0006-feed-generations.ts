/** PostgreSQL 0006: feed entries are written under a generation key, and a feed points at its current one. */
import { sqlMigration } from '../sql-migration.js';

// A re-import writes its entries under a new key, in short transactions, then flips the feed to
// it: the store stays writable during a long import, and readers see the old set until the flip.
export const feedGenerationsPostgres = sqlMigration([
  `ALTER TABLE feeds ADD COLUMN entries_key TEXT`,
  // Feeds imported before this migration keep their entries under their name.
  `UPDATE feeds SET entries_key = name`,
]);
