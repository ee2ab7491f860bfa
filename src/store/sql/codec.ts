/** Small translations between SQL rows and records that both dialects share: JSON text, row counts, constraint errors. */

export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function fromJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : fromJson<T>(text);
}

/** Rows changed by an UPDATE; Kysely reports a bigint, and both drivers fill it in. */
export function affectedRows(result: { numUpdatedRows: bigint } | undefined): number {
  return Number(result?.numUpdatedRows ?? 0n);
}

/** True for a primary-key or unique violation in either dialect, so callers can report "already exists". */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
