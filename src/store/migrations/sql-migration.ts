/** Builds a forward-only Kysely migration from plain SQL statements, one at a time (SQLite prepares one per call). */
import { sql, type Migration } from 'kysely';

export function sqlMigration(statements: readonly string[]): Migration {
  return {
    async up(db) {
      for (const statement of statements) await sql.raw(statement).execute(db);
    },
  };
}
