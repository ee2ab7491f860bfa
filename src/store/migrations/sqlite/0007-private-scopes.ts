/** SQLite 0007: what was written while a file was private keeps its scope (comments, votes, submission counts, last analysis). */
import { sqlMigration } from '../sql-migration.js';

// `*` is everyone; `user:<id>` or `group:<id>` a private scope (core/model/visibility.ts). Rows
// written before this migration on files that are private now are given a scope below; rows on
// files already public cannot be told apart any more and stay public.
export const privateScopesSqlite = sqlMigration([
  `ALTER TABLE comments ADD COLUMN visibility TEXT NOT NULL DEFAULT '*'`,
  `ALTER TABLE votes ADD COLUMN visibility TEXT NOT NULL DEFAULT '*'`,
  // Private submissions, counted per owner; the files row counts public submissions only.
  `CREATE TABLE file_submissions (
    sha256 TEXT NOT NULL,
    owner TEXT NOT NULL,
    times_submitted INTEGER NOT NULL,
    first_submission_date INTEGER NOT NULL,
    last_submission_date INTEGER NOT NULL,
    PRIMARY KEY (sha256, owner)
  ) STRICT`,
  `UPDATE comments SET visibility = COALESCE(
      (SELECT a.owner FROM file_access a WHERE a.sha256 = comments.item_id AND a.owner = 'user:' || comments.author_id),
      (SELECT a.owner FROM file_access a JOIN users u ON a.owner = 'group:' || u.group_id WHERE a.sha256 = comments.item_id AND u.id = comments.author_id),
      (SELECT MIN(a.owner) FROM file_access a WHERE a.sha256 = comments.item_id))
    WHERE item_type = 'file'
      AND EXISTS (SELECT 1 FROM file_access a WHERE a.sha256 = comments.item_id)
      AND NOT EXISTS (SELECT 1 FROM file_access a WHERE a.sha256 = comments.item_id AND a.owner = '*')`,
  `UPDATE votes SET visibility = COALESCE(
      (SELECT a.owner FROM file_access a WHERE a.sha256 = votes.item_id AND a.owner = 'user:' || votes.user_id),
      (SELECT a.owner FROM file_access a JOIN users u ON a.owner = 'group:' || u.group_id WHERE a.sha256 = votes.item_id AND u.id = votes.user_id),
      (SELECT MIN(a.owner) FROM file_access a WHERE a.sha256 = votes.item_id))
    WHERE item_type = 'file'
      AND EXISTS (SELECT 1 FROM file_access a WHERE a.sha256 = votes.item_id)
      AND NOT EXISTS (SELECT 1 FROM file_access a WHERE a.sha256 = votes.item_id AND a.owner = '*')`,
  `UPDATE files SET
      reputation = (SELECT COALESCE(SUM(v.value), 0) FROM votes v WHERE v.item_type = 'file' AND v.item_id = files.sha256 AND v.visibility = '*'),
      total_votes = '{"harmless":' || (SELECT COUNT(*) FROM votes v WHERE v.item_type = 'file' AND v.item_id = files.sha256 AND v.visibility = '*' AND v.verdict = 'harmless')
        || ',"malicious":' || (SELECT COUNT(*) FROM votes v WHERE v.item_type = 'file' AND v.item_id = files.sha256 AND v.visibility = '*' AND v.verdict = 'malicious') || '}'
    WHERE EXISTS (SELECT 1 FROM votes v WHERE v.item_type = 'file' AND v.item_id = files.sha256 AND v.visibility <> '*')`,
  `INSERT INTO file_submissions (sha256, owner, times_submitted, first_submission_date, last_submission_date)
    SELECT f.sha256, (SELECT MIN(a.owner) FROM file_access a WHERE a.sha256 = f.sha256), f.times_submitted, f.first_submission_date, f.last_submission_date
    FROM files f
    WHERE EXISTS (SELECT 1 FROM file_access a WHERE a.sha256 = f.sha256)
      AND NOT EXISTS (SELECT 1 FROM file_access a WHERE a.sha256 = f.sha256 AND a.owner = '*')`,
  `UPDATE files SET times_submitted = 0
    WHERE sha256 IN (SELECT sha256 FROM file_submissions)`,
  `UPDATE files SET
      last_analysis_id = (SELECT a.id FROM analyses a WHERE a.item_id = files.sha256 AND a.status = 'completed' AND NOT EXISTS (SELECT 1 FROM analysis_owners o WHERE o.analysis_id = a.id) ORDER BY a.completed_at DESC, a.id DESC LIMIT 1),
      last_analysis_date = (SELECT a.completed_at FROM analyses a WHERE a.item_id = files.sha256 AND a.status = 'completed' AND NOT EXISTS (SELECT 1 FROM analysis_owners o WHERE o.analysis_id = a.id) ORDER BY a.completed_at DESC, a.id DESC LIMIT 1),
      last_analysis_results = (SELECT a.results FROM analyses a WHERE a.item_id = files.sha256 AND a.status = 'completed' AND NOT EXISTS (SELECT 1 FROM analysis_owners o WHERE o.analysis_id = a.id) ORDER BY a.completed_at DESC, a.id DESC LIMIT 1),
      last_analysis_stats = (SELECT a.stats FROM analyses a WHERE a.item_id = files.sha256 AND a.status = 'completed' AND NOT EXISTS (SELECT 1 FROM analysis_owners o WHERE o.analysis_id = a.id) ORDER BY a.completed_at DESC, a.id DESC LIMIT 1)
    WHERE last_analysis_id IN (SELECT analysis_id FROM analysis_owners)`,
]);
