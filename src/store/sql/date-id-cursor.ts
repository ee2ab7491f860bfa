/** The opaque paging cursor of newest-first lists: the (date, id) sort key of the last row served. */
import { AppError } from '../../core/errors.js';

/** Paging by the sort key keeps pages stable while rows are added. */
export function encodeCursor(row: { date: number; id: string }): string {
  return Buffer.from(JSON.stringify([row.date, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { date: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && typeof value[1] === 'string') {
      return { date: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through: an undecodable cursor is the caller's mistake, not ours
  }
  throw new AppError('InvalidArgumentError', 'Invalid cursor');
}
