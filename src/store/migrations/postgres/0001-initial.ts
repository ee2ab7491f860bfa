/** PostgreSQL 0001: files, analyses, users, API keys, upload tokens and the jobs queue. */
import { sqlMigration } from '../sql-migration.js';

// Ids that are sort keys use COLLATE "C" so ordering is bytewise, as in SQLite, whatever the
// cluster's locale; cursors and the queue's FIFO tie-break then mean the same on both.
export const initialPostgres = sqlMigration([
  `CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    sha1 TEXT NOT NULL,
    md5 TEXT NOT NULL,
    size BIGINT NOT NULL,
    names TEXT NOT NULL DEFAULT '[]',
    times_submitted INTEGER NOT NULL DEFAULT 0,
    first_submission_date BIGINT NOT NULL,
    last_submission_date BIGINT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    last_analysis_id TEXT,
    last_analysis_date BIGINT,
    last_analysis_results TEXT,
    last_analysis_stats TEXT,
    reputation INTEGER NOT NULL DEFAULT 0,
    total_votes TEXT NOT NULL DEFAULT '{"harmless":0,"malicious":0}'
  )`,
  `CREATE INDEX files_md5_idx ON files (md5)`,
  `CREATE INDEX files_sha1_idx ON files (sha1)`,

  `CREATE TABLE analyses (
    id TEXT COLLATE "C" PRIMARY KEY,
    item_type TEXT NOT NULL,
    item_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'in-progress', 'completed')),
    date BIGINT NOT NULL,
    results TEXT NOT NULL DEFAULT '[]',
    stats TEXT NOT NULL,
    completed_at BIGINT
  )`,
  `CREATE INDEX analyses_item_idx ON analyses (item_id, date, id)`,
  `CREATE INDEX analyses_unfinished_idx ON analyses (date, id) WHERE status <> 'completed'`,

  `CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    is_admin SMALLINT NOT NULL CHECK (is_admin IN (0, 1)),
    tier TEXT NOT NULL,
    active SMALLINT NOT NULL CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL
  )`,

  `CREATE TABLE api_keys (
    key_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  )`,
  `CREATE INDEX api_keys_user_idx ON api_keys (user_id)`,

  `CREATE TABLE upload_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
  )`,
  `CREATE INDEX upload_tokens_user_idx ON upload_tokens (user_id)`,

  `CREATE TABLE jobs (
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    run_after BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL
  )`,
  `CREATE INDEX jobs_runnable_idx ON jobs (created_at, id) WHERE status IN ('pending', 'running')`,
]);
