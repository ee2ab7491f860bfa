/** SQLite 0005: URLs, domain and IP objects, relations, DNS resolutions, WHOIS/certificate history, intel cache, feeds, popularity ranks. */
import { sqlMigration } from '../sql-migration.js';

// analyses.item_type has no CHECK in 0001, so URL analyses need no change to that table.
// WITHOUT ROWID on the tables whose rows are small and looked up by their whole key (feed
// entries, ranks, edges, budgets): the key is the table, so it is not stored twice.
export const networkSqlite = sqlMigration([
  `CREATE TABLE urls (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    times_submitted INTEGER NOT NULL DEFAULT 0,
    first_submission_date INTEGER NOT NULL,
    last_submission_date INTEGER NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    last_analysis_id TEXT,
    last_analysis_date INTEGER,
    last_analysis_results TEXT,
    last_analysis_stats TEXT
  ) STRICT`,

  // reversed_id holds the labels in reverse order (www.example.com -> com.example.www), so the
  // subdomains of a name are one prefix range of the index.
  `CREATE TABLE network_objects (
    type TEXT NOT NULL CHECK (type IN ('domain', 'ip_address')),
    id TEXT NOT NULL,
    reversed_id TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    first_seen_date INTEGER NOT NULL,
    last_modification_date INTEGER NOT NULL,
    PRIMARY KEY (type, id)
  ) STRICT`,
  `CREATE UNIQUE INDEX network_objects_reversed_idx ON network_objects (type, reversed_id)`,

  `CREATE TABLE relations (
    from_type TEXT NOT NULL,
    from_id TEXT NOT NULL,
    name TEXT NOT NULL,
    to_type TEXT NOT NULL,
    to_id TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (from_type, from_id, name, to_type, to_id)
  ) STRICT, WITHOUT ROWID`,
  `CREATE INDEX relations_recent_idx ON relations (from_type, from_id, name, last_seen, to_id, to_type)`,

  `CREATE TABLE resolutions (
    id TEXT PRIMARY KEY NOT NULL,
    ip_address TEXT NOT NULL,
    host_name TEXT NOT NULL,
    resolver TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  ) STRICT`,
  `CREATE INDEX resolutions_host_idx ON resolutions (host_name, last_seen, id)`,
  `CREATE INDEX resolutions_ip_idx ON resolutions (ip_address, last_seen, id)`,

  `CREATE TABLE history (
    kind TEXT NOT NULL CHECK (kind IN ('whois', 'ssl_cert')),
    item_type TEXT NOT NULL CHECK (item_type IN ('domain', 'ip_address')),
    item_id TEXT NOT NULL,
    id TEXT NOT NULL,
    content TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (kind, item_type, item_id, id)
  ) STRICT`,
  `CREATE INDEX history_recent_idx ON history (kind, item_type, item_id, last_seen, id)`,

  // Milliseconds here: cache lifetimes and the per-minute budget are finer than a second matters.
  `CREATE TABLE intel_cache (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    fetched_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (source, key)
  ) STRICT`,

  `CREATE TABLE intel_budget (
    source TEXT NOT NULL,
    minute INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (source, minute)
  ) STRICT, WITHOUT ROWID`,

  `CREATE TABLE feeds (
    name TEXT PRIMARY KEY NOT NULL,
    format TEXT NOT NULL,
    entries INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    feed_date INTEGER NOT NULL,
    source TEXT
  ) STRICT`,

  // The key collapses duplicates: one row per URL id in a feed, and one per host for host-only
  // entries (url_id ''). It also serves replacing a whole feed.
  `CREATE TABLE feed_entries (
    feed TEXT NOT NULL,
    url_id TEXT NOT NULL,
    host TEXT NOT NULL,
    threat TEXT,
    added_at INTEGER,
    PRIMARY KEY (feed, url_id, host)
  ) STRICT, WITHOUT ROWID`,
  `CREATE INDEX feed_entries_url_idx ON feed_entries (url_id)`,
  `CREATE INDEX feed_entries_host_idx ON feed_entries (host, feed)`,

  `CREATE TABLE popularity_ranks (
    source TEXT NOT NULL,
    domain TEXT NOT NULL,
    rank INTEGER NOT NULL,
    date INTEGER NOT NULL,
    PRIMARY KEY (source, domain)
  ) STRICT, WITHOUT ROWID`,
  `CREATE INDEX popularity_ranks_domain_idx ON popularity_ranks (domain)`,
]);
