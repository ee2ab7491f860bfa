/** PostgreSQL 0011: jobs get a priority (0 interactive, higher later), and the runnable index orders by it first. */
import { sqlMigration } from '../sql-migration.js';

export const jobPriorityPostgres = sqlMigration([
  `ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0`,
  `DROP INDEX jobs_runnable_idx`,
  `CREATE INDEX jobs_runnable_idx ON jobs (priority, created_at, id) WHERE status IN ('pending', 'running')`,
]);
