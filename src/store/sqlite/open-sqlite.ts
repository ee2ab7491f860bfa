/** The SQLite adapter: opens a better-sqlite3 file tuned for several processes sharing it, behind the shared SQL store. */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import type { ChangeScope } from '../ports/store.js';
import type { Database } from '../sql/schema.js';
import { TableWrites } from '../sql/table-writes.js';
import { SqlStore, type SqlBackend } from '../sql/sql-store.js';

/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * Every transaction here writes. A deferred BEGIN that later upgrades to a write can fail with
 * SQLITE_BUSY at once when another process committed meanwhile (busy_timeout does not help), so
 * take the write lock up front, where busy_timeout applies.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite runs DDL inside transactions; saying so makes Kysely's Migrator wrap each run in one
 * (an IMMEDIATE one, above), which serialises processes migrating the same file at once and
 * rolls a failed migration back whole.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class AssaySqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** How stale another process's writes may look to this process's caches, at most. */
const DATA_VERSION_MS = 20;

/** The tables behind each cached record family (Store.changeMarker). */
const TABLES_OF_SCOPE: Record<ChangeScope, readonly string[]> = {
  accounts: ['users', 'api_keys', 'groups'],
  files: ['files', 'file_access'],
};

/** Statements kept prepared; past this the least recently used is dropped (query texts are few: built by code, values bound). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing cost as much as running the
 * query in the lookup benchmark (docs/benchmarks.md), so keep prepared statements by SQL text.
 * better-sqlite3 is synchronous, so a cached statement is never in use twice at once, except
 * while an iterator is open on it (`busy`): then a fresh one is prepared.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (!cached) {
        cache.set(sql, statement);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      return statement;
    },
  };
}

/** Opens (creating if needed) the SQLite database at `file`; `:memory:` works for throwaway use. */
export async function openSqlite(file: string): Promise<SqlBackend> {
  if (file !== ':memory:') await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const database = new SqliteDatabase(file);
  try {
    // busy_timeout first: switching to WAL needs a lock another process may hold right now.
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  const writes = new TableWrites();
  const db = new Kysely<Database>({ dialect: new AssaySqliteDialect({ database: withStatementCache(database) }), plugins: [writes] });
  // data_version moves when another connection commits. Reading it costs a statement step, which
  // was the largest cost of a cached report look-up; so it is read at most every DATA_VERSION_MS:
  // this process's own writes count at once (TableWrites), other processes' within that time.
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  let version = 0;
  let versionReadAt = Number.NEGATIVE_INFINITY;
  const marker = (scope: ChangeScope) => {
    const now = performance.now();
    if (now - versionReadAt >= DATA_VERSION_MS) {
      version = dataVersion.get() as number;
      versionReadAt = now;
    }
    return `${version}:${writes.count(TABLES_OF_SCOPE[scope])}`;
  };
  return { store: new SqlStore(db, 'sqlite', marker), db, dialect: 'sqlite' };
}
