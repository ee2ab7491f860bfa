/** The PostgreSQL adapter: a pg pool behind the shared SQL store. */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../sql/schema.js';
import { SqlStore, type SqlBackend } from '../sql/sql-store.js';

/** Dates and sizes are BIGINT; pg returns int8 as text unless told otherwise. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JavaScript number`);
  return value;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Connects to `url` (postgres://...) and checks the connection, so a bad URL fails here and not on first use. */
export async function openPostgres(url: string, options: { maxConnections?: number } = {}): Promise<SqlBackend> {
  // Per-pool parsers, not pg.types.setTypeParser, so other pg users in the process are unaffected.
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, types });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would crash
  // the process. The pool drops the client and the next query connects afresh.
  pool.on('error', () => {});
  // A client checked out of the pool (inside a transaction, between two queries) has no pool
  // listener: its connection dropping (PostgreSQL restarted, killed) would emit an unhandled 'error'
  // and crash the server. The failure still reaches the caller, as the rejection of its next query,
  // and the pool discards the broken client on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { store: new SqlStore(db, 'postgres'), db, dialect: 'postgres' };
}
