/**
 * Keyset paging for lists that are not ordered by (date, id): the cursor is the last row's sort
 * key as base64url JSON, so pages stay stable while rows are added.
 */
import { AppError } from '../../core/errors.js';
import type { Page } from '../../core/model/page.js';

type KeyShape = readonly ('string' | 'number')[];
type KeyOf<S extends KeyShape> = { -readonly [K in keyof S]: S[K] extends 'string' ? string : number };

export const pageLimit = (limit: number): number => Math.max(1, Math.floor(limit));

export function encodeKey(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key in `cursor`, checked against `shape`; InvalidArgumentError when it does not fit. */
export function decodeKey<const S extends KeyShape>(cursor: string, shape: S): KeyOf<S> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === shape.length &&
      value.every((part, i) => (shape[i] === 'number' ? Number.isSafeInteger(part) : typeof part === 'string'))
    ) {
      return value as KeyOf<S>;
    }
  } catch {
    // fall through: an undecodable cursor is the caller's mistake, not ours
  }
  throw new AppError('InvalidArgumentError', 'Invalid cursor');
}

/**
 * `rows` were fetched with limit + 1: the extra row tells whether another page exists without a
 * count. The cursor is the sort key of the last row served.
 */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => ReadonlyArray<string | number>,
  toItem: (row: R) => T,
): Page<T> {
  const served = rows.slice(0, limit);
  const items = served.map(toItem);
  const last = served.at(-1);
  return rows.length > limit && last !== undefined ? { items, cursor: encodeKey(keyOf(last)) } : { items };
}
