/**
 * Imports a hash list (MalwareBazaar CSV or a plain list) from a file or URL into the store,
 * streaming: parsed hashes go to the store in batches, and a re-import replaces the list whole.
 */
import { AppError } from '../../core/errors.js';
import type { HashListEntry, HashListKind } from '../../core/model/hash-list.js';
import { parseHashListLine, type HashListFormat } from '../../engines/hashlist/index.js';
import { linesOf, textOf } from '../../feeds/index.js';
import type { Store } from '../../store/ports/store.js';
import { openFeedSource } from '../feeds/feed-source.js';
import type { FeedFetch } from '../feeds/fetch-feed.js';

export const HASH_BATCH_SIZE = 2000;
const MAX_NAME_CHARS = 100;

export interface ImportHashListOptions {
  format: HashListFormat;
  source: string;
  name: string;
  kind: HashListKind;
  fetch?: FeedFetch;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes: number | undefined, entries: number) => void;
}

export interface ImportHashListResult {
  name: string;
  kind: HashListKind;
  format: HashListFormat;
  entries: number;
  malformed: number;
  source: string;
}

export async function importHashList(deps: { store: Pick<Store, 'hashLists'>; now: () => number }, options: ImportHashListOptions): Promise<ImportHashListResult> {
  const name = options.name.trim();
  if (name === '' || name.length > MAX_NAME_CHARS || /[\p{Cc}#]/u.test(name)) {
    throw new AppError('InvalidArgumentError', `hash list name must be 1 to ${MAX_NAME_CHARS} printable characters other than #`);
  }
  let parsed = 0;
  let malformed = 0;
  const opened = await openFeedSource(options.source, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onBytes: (read, total) => options.onProgress?.(read, total, parsed),
  });
  async function* batches(): AsyncGenerator<HashListEntry[]> {
    let batch: HashListEntry[] = [];
    for await (const line of linesOf(textOf(opened.bytes))) {
      const outcome = parseHashListLine(options.format, line);
      if (outcome === 'skip') continue;
      if (outcome === 'malformed') {
        malformed += 1;
        continue;
      }
      parsed += 1;
      batch.push(outcome);
      if (batch.length >= HASH_BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
  try {
    const importedAt = Math.floor(deps.now() / 1000);
    const entries = await deps.store.hashLists.replace({ name, kind: options.kind, format: options.format, importedAt, source: opened.displaySource }, batches());
    return { name, kind: options.kind, format: options.format, entries, malformed, source: opened.displaySource };
  } finally {
    await opened.close();
  }
}
