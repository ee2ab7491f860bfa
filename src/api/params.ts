// Request parameters shared by routes: file hashes in paths and page sizes.
import { AppError } from '../core/errors.js';
import { parseFileHash } from '../core/hashes.js';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 40;

/** md5, sha1 or sha256, lowercased; a malformed value is InvalidArgumentError before any lookup. */
export function fileHashParam(id: string): string {
  const parsed = parseFileHash(id);
  if (!parsed) throw new AppError('InvalidArgumentError', `"${id}" is not a valid file hash (md5, sha1 or sha256)`);
  return parsed.value;
}

/** Larger page sizes are capped rather than refused: vt-py passes its batch_size through as is. */
export const pageSize = (limit: number | undefined): number => Math.min(limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
