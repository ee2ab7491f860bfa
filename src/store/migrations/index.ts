/**
 * The migration registry: numbered, forward-only, one list per dialect. Both lists carry the same
 * names in the same order, so `assay migrate` reports the same thing whichever database it runs on.
 */
import type { Migration } from 'kysely';
import type { SqlDialect } from '../sql/schema.js';
import { initialPostgres } from './postgres/0001-initial.js';
import { initialSqlite } from './sqlite/0001-initial.js';

const migrations: Record<SqlDialect, Record<string, Migration>> = {
  sqlite: {
    '0001-initial': initialSqlite,
  },
  postgres: {
    '0001-initial': initialPostgres,
  },
};

export function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  return migrations[dialect];
}
