/** PostgreSQL 0003: quota window counters and per-day API usage by endpoint group. */
import { sqlMigration } from '../sql-migration.js';

// COLLATE "C": admits lock counter rows in key order, and that order must be the bytewise one the
// adapter sorts by, or two admits over the same keys could deadlock.
export const quotasPostgres = sqlMigration([
  `CREATE TABLE quota_counters (
    counter_key TEXT COLLATE "C" PRIMARY KEY,
    count INTEGER NOT NULL,
    expires_at BIGINT NOT NULL
  )`,
  `CREATE INDEX quota_counters_expires_idx ON quota_counters (expires_at)`,

  `CREATE TABLE api_usage (
    user_id TEXT NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    endpoint_group TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, endpoint_group)
  )`,
  `CREATE INDEX api_usage_day_idx ON api_usage (day)`,
]);
