/** PostgreSQL 0004: comments (with their tags and readers' votes), votes on objects, vote totals of non-file objects. */
import { sqlMigration } from '../sql-migration.js';

// As in SQLite 0004: no foreign keys to users or files (see there). Ids that are sort keys of
// cursors use COLLATE "C", as in 0001, so paging orders bytewise on both dialects.
export const communityPostgres = sqlMigration([
  `CREATE TABLE comments (
    id TEXT COLLATE "C" PRIMARY KEY,
    item_type TEXT NOT NULL CHECK (item_type IN ('file', 'url', 'domain', 'ip_address')),
    item_id TEXT NOT NULL,
    author_id TEXT NOT NULL,
    date BIGINT NOT NULL,
    text TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    positive INTEGER NOT NULL DEFAULT 0,
    negative INTEGER NOT NULL DEFAULT 0,
    abuse INTEGER NOT NULL DEFAULT 0
  )`,
  `CREATE INDEX comments_item_idx ON comments (item_type, item_id, date, id)`,
  `CREATE INDEX comments_latest_idx ON comments (date, id)`,

  `CREATE TABLE comment_tags (
    comment_id TEXT COLLATE "C" NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    date BIGINT NOT NULL,
    PRIMARY KEY (comment_id, tag)
  )`,
  `CREATE INDEX comment_tags_tag_idx ON comment_tags (tag, date, comment_id)`,

  `CREATE TABLE comment_votes (
    comment_id TEXT COLLATE "C" NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('positive', 'negative', 'abuse')),
    date BIGINT NOT NULL,
    PRIMARY KEY (comment_id, user_id)
  )`,

  `CREATE TABLE votes (
    id TEXT COLLATE "C" PRIMARY KEY,
    item_type TEXT NOT NULL CHECK (item_type IN ('file', 'url', 'domain', 'ip_address')),
    item_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('harmless', 'malicious')),
    value INTEGER NOT NULL,
    date BIGINT NOT NULL,
    UNIQUE (item_type, item_id, user_id)
  )`,
  `CREATE INDEX votes_item_idx ON votes (item_type, item_id, date, id)`,

  `CREATE TABLE vote_totals (
    item_type TEXT NOT NULL CHECK (item_type IN ('url', 'domain', 'ip_address')),
    item_id TEXT NOT NULL,
    harmless INTEGER NOT NULL DEFAULT 0,
    malicious INTEGER NOT NULL DEFAULT 0,
    reputation INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_type, item_id)
  )`,
]);
