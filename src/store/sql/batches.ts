/** Splits rows for multi-row INSERTs, so each statement stays well under both drivers' limit on bound parameters. */

/** SQLite allows 32 766 parameters per statement and PostgreSQL 65 535; this keeps a wide margin. */
const PARAMETERS_PER_STATEMENT = 8_000;

export function* insertBatches<T>(rows: readonly T[], columnsPerRow: number): Generator<T[]> {
  const size = Math.max(1, Math.floor(PARAMETERS_PER_STATEMENT / columnsPerRow));
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}
