/**
 * Copies every table of one migrated store database into another, empty one of the same schema
 * version (`assay migrate-store`: SQLite to PostgreSQL). Tables and columns are read from the
 * target's catalogue, parents before the tables whose foreign keys point at them; rows are streamed
 * from the source and inserted in batches, so memory stays bounded whatever the table's size.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface TableCopy {
  table: string;
  rows: number;
}

/** PostgreSQL accepts at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 60_000;
const MAX_BATCH_ROWS = 500;
/** Kysely's own bookkeeping: the target has its own from migrating. */
const SKIPPED = new Set(['kysely_migration', 'kysely_migration_lock']);

/**
 * Copies from an SQLite `source` into a PostgreSQL `target`; both must be migrated to the same
 * version, and the target must hold no rows (a half-done copy is redone into a fresh database).
 */
export async function copyTables(source: Kysely<Database>, target: Kysely<Database>, onTable?: (copy: TableCopy) => void): Promise<TableCopy[]> {
  const from = source as unknown as Kysely<Record<string, Record<string, unknown>>>;
  const to = target as unknown as Kysely<Record<string, Record<string, unknown>>>;
  await assertSameMigrations(from, to);
  const tables = await tablesInOrder(to);
  for (const { table } of tables) {
    const row = await sql<{ present: number }>`select 1 as present from ${sql.table(table)} limit 1`.execute(to);
    if (row.rows.length > 0) throw new Error(`The target database is not empty (table ${table} has rows): migrate into a new database`);
  }
  const copies: TableCopy[] = [];
  await to.transaction().execute(async (trx) => {
    for (const { table, columns } of tables) {
      const batchRows = Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(MAX_PARAMETERS / columns.length)));
      let batch: Record<string, unknown>[] = [];
      let rows = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        await trx.insertInto(table).values(batch).execute();
        rows += batch.length;
        batch = [];
      };
      for await (const row of from.selectFrom(table).select(columns).stream(batchRows)) {
        batch.push(row);
        if (batch.length >= batchRows) await flush();
      }
      await flush();
      const copy = { table, rows };
      copies.push(copy);
      onTable?.(copy);
    }
  });
  return copies;
}

/** Rows per table, for checking a copy. */
export async function countRows(db: Kysely<Database>, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    counts[table] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

async function assertSameMigrations(source: Kysely<Record<string, Record<string, unknown>>>, target: Kysely<Record<string, Record<string, unknown>>>): Promise<void> {
  const names = async (db: Kysely<Record<string, Record<string, unknown>>>) =>
    (await db.selectFrom('kysely_migration').select('name').orderBy('name').execute()).map((r) => String(r.name)).join(',');
  const [a, b] = await Promise.all([names(source), names(target)]);
  if (a !== b) throw new Error(`Source and target are at different schema versions (${a} / ${b}): migrate both first`);
}

/** The target's tables with their columns, parents first (Kahn's order over foreign keys; self-references ignored). */
async function tablesInOrder(target: Kysely<Record<string, Record<string, unknown>>>): Promise<Array<{ table: string; columns: string[] }>> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() order by table_name, ordinal_position`.execute(target);
  const byTable = new Map<string, string[]>();
  for (const { table_name, column_name } of columns.rows) {
    if (SKIPPED.has(table_name)) continue;
    byTable.set(table_name, [...(byTable.get(table_name) ?? []), column_name]);
  }
  const references = await sql<{ child: string; parent: string }>`
    select distinct c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname = current_schema()`.execute(target);
  const parents = new Map<string, Set<string>>([...byTable.keys()].map((t) => [t, new Set<string>()]));
  for (const { child, parent } of references.rows) if (child !== parent) parents.get(child)?.add(parent);
  const ordered: string[] = [];
  const remaining = new Set([...byTable.keys()].sort());
  while (remaining.size > 0) {
    const ready = [...remaining].filter((t) => [...parents.get(t)!].every((p) => !remaining.has(p)));
    if (ready.length === 0) throw new Error(`Foreign keys form a cycle among ${[...remaining].join(', ')}`);
    for (const t of ready) {
      ordered.push(t);
      remaining.delete(t);
    }
  }
  return ordered.map((table) => ({ table, columns: byTable.get(table)! }));
}
