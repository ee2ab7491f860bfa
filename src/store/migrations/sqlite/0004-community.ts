/** SQLite 0004: comments (with their tags and readers' votes), votes on objects, vote totals of non-file objects. */
import { sqlMigration } from '../sql-migration.js';

// No foreign key from author_id/user_id to users: a comment outlives its author's account, as on VT.
// Comments attach to (item_type, item_id) without a foreign key to files either, so comments on
// URLs, domains and IPs wait for those objects (a later migration) without a placeholder row.
export const communitySqlite = sqlMigration([
  `CREATE TABLE comments (
    id TEXT PRIMARY KEY NOT NULL,
    item_type TEXT NOT NULL CHECK (item_type IN ('file', 'url', 'domain', 'ip_address')),
    item_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    date INTEGER NOT NULL,
    text TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    positive INTEGER NOT NULL DEFAULT 0,
    negative INTEGER NOT NULL DEFAULT 0,
    abuse INTEGER NOT NULL DEFAULT 0
  ) STRICT`,
  `CREATE INDEX comments_item_idx ON comments (item_type, item_id, date, id)`,
  `CREATE INDEX comments_latest_idx ON comments (date, id)`,

  `CREATE TABLE comment_tags (
    comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    date INTEGER NOT NULL,
    PRIMARY KEY (comment_id, tag)
  ) STRICT`,
  `CREATE INDEX comment_tags_tag_idx ON comment_tags (tag, date, comment_id)`,

  `CREATE TABLE comment_votes (
    comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('positive', 'negative', 'abuse')),
    date INTEGER NOT NULL,
    PRIMARY KEY (comment_id, user_id)
  ) STRICT`,

  // The unique constraint is what makes a second vote of one user on one item fail, concurrent or not.
  `CREATE TABLE votes (
    id TEXT PRIMARY KEY NOT NULL,
    item_type TEXT NOT NULL CHECK (item_type IN ('file', 'url', 'domain', 'ip_address')),
    item_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('harmless', 'malicious')),
    value INTEGER NOT NULL,
    date INTEGER NOT NULL,
    UNIQUE (item_type, item_id, user_id)
  ) STRICT`,
  `CREATE INDEX votes_item_idx ON votes (item_type, item_id, date, id)`,

  `CREATE TABLE vote_totals (
    item_type TEXT NOT NULL CHECK (item_type IN ('url', 'domain', 'ip_address')),
    item_id TEXT NOT NULL,
    harmless INTEGER NOT NULL DEFAULT 0,
    malicious INTEGER NOT NULL DEFAULT 0,
    reputation INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_type, item_id)
  ) STRICT`,
]);
