/** SQLite 0003: quota window counters and per-day API usage by endpoint group. */
import { sqlMigration } from '../sql-migration.js';

export const quotasSqlite = sqlMigration([
  // One row per live counter (e.g. `user:alice:minute:202501011200`); rows past expires_at count
  // as zero and are deleted lazily.
  `CREATE TABLE quota_counters (
    counter_key TEXT PRIMARY KEY NOT NULL,
    count INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT`,
  `CREATE INDEX quota_counters_expires_idx ON quota_counters (expires_at)`,

  // Requests per user, UTC day (YYYY-MM-DD) and endpoint group, for /users/{id}/api_usage.
  `CREATE TABLE api_usage (
    user_id TEXT NOT NULL,
    day TEXT NOT NULL,
    endpoint_group TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, endpoint_group)
  ) STRICT`,
  `CREATE INDEX api_usage_day_idx ON api_usage (day)`,
]);
