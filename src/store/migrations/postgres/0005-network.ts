/** PostgreSQL 0005: URLs, domain and IP objects, relations, DNS resolutions, WHOIS/certificate history, intel cache, feeds, popularity ranks. */
import { sqlMigration } from '../sql-migration.js';

// As in SQLite 0005 (see there for the keys). Columns that order cursors or prefix ranges use
// COLLATE "C", as in 0001, so they compare bytewise on both dialects whatever the cluster's locale.
export const networkPostgres = sqlMigration([
  `CREATE TABLE urls (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    times_submitted INTEGER NOT NULL DEFAULT 0,
    first_submission_date BIGINT NOT NULL,
    last_submission_date BIGINT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    last_analysis_id TEXT,
    last_analysis_date BIGINT,
    last_analysis_results TEXT,
    last_analysis_stats TEXT
  )`,

  `CREATE TABLE network_objects (
    type TEXT NOT NULL CHECK (type IN ('domain', 'ip_address')),
    id TEXT NOT NULL,
    reversed_id TEXT COLLATE "C" NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    first_seen_date BIGINT NOT NULL,
    last_modification_date BIGINT NOT NULL,
    PRIMARY KEY (type, id)
  )`,
  `CREATE UNIQUE INDEX network_objects_reversed_idx ON network_objects (type, reversed_id)`,

  `CREATE TABLE relations (
    from_type TEXT NOT NULL,
    from_id TEXT NOT NULL,
    name TEXT NOT NULL,
    to_type TEXT COLLATE "C" NOT NULL,
    to_id TEXT COLLATE "C" NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (from_type, from_id, name, to_type, to_id)
  )`,
  `CREATE INDEX relations_recent_idx ON relations (from_type, from_id, name, last_seen, to_id, to_type)`,

  `CREATE TABLE resolutions (
    id TEXT COLLATE "C" PRIMARY KEY,
    ip_address TEXT NOT NULL,
    host_name TEXT NOT NULL,
    resolver TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
  )`,
  `CREATE INDEX resolutions_host_idx ON resolutions (host_name, last_seen, id)`,
  `CREATE INDEX resolutions_ip_idx ON resolutions (ip_address, last_seen, id)`,

  `CREATE TABLE history (
    kind TEXT NOT NULL CHECK (kind IN ('whois', 'ssl_cert')),
    item_type TEXT NOT NULL CHECK (item_type IN ('domain', 'ip_address')),
    item_id TEXT NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    content TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (kind, item_type, item_id, id)
  )`,
  `CREATE INDEX history_recent_idx ON history (kind, item_type, item_id, last_seen, id)`,

  `CREATE TABLE intel_cache (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    fetched_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (source, key)
  )`,

  `CREATE TABLE intel_budget (
    source TEXT NOT NULL,
    minute BIGINT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (source, minute)
  )`,

  `CREATE TABLE feeds (
    name TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    entries INTEGER NOT NULL,
    imported_at BIGINT NOT NULL,
    feed_date BIGINT NOT NULL,
    source TEXT
  )`,

  `CREATE TABLE feed_entries (
    feed TEXT NOT NULL,
    url_id TEXT COLLATE "C" NOT NULL,
    host TEXT NOT NULL,
    threat TEXT,
    added_at BIGINT,
    PRIMARY KEY (feed, url_id, host)
  )`,
  `CREATE INDEX feed_entries_url_idx ON feed_entries (url_id)`,
  `CREATE INDEX feed_entries_host_idx ON feed_entries (host, feed)`,

  `CREATE TABLE popularity_ranks (
    source TEXT NOT NULL,
    domain TEXT NOT NULL,
    rank INTEGER NOT NULL,
    date BIGINT NOT NULL,
    PRIMARY KEY (source, domain)
  )`,
  `CREATE INDEX popularity_ranks_domain_idx ON popularity_ranks (domain)`,
]);
