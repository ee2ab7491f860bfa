/** SQLite 0008: when a job finished, and the indexes retention purges walk (jobs, intel cache, upload tokens). */
import { sqlMigration } from '../sql-migration.js';

export const retentionSqlite = sqlMigration([
  `ALTER TABLE jobs ADD COLUMN finished_at INTEGER`,
  // Finished before this migration: their creation is the best date left.
  `UPDATE jobs SET finished_at = created_at WHERE status IN ('done', 'failed')`,
  `CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE status IN ('done', 'failed')`,
  `CREATE INDEX intel_cache_expires_idx ON intel_cache (expires_at)`,
  `CREATE INDEX upload_tokens_expires_idx ON upload_tokens (expires_at)`,
]);
