// Offset cursors for the fake services: opaque to clients, as the store's are, and refused when malformed.
import { AppError } from '../../core/errors.js';
import type { Page } from '../../core/model/page.js';

export function pageOf<T>(all: readonly T[], options: { limit: number; cursor?: string }): Page<T> {
  const start = options.cursor === undefined ? 0 : Number.parseInt(Buffer.from(options.cursor, 'base64url').toString(), 10);
  if (!Number.isInteger(start) || start < 0) throw new AppError('InvalidArgumentError', 'Invalid cursor');
  const items = all.slice(start, start + options.limit);
  const more = start + options.limit < all.length;
  return { items, cursor: more ? Buffer.from(String(start + options.limit)).toString('base64url') : undefined };
}
