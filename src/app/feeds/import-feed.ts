/**
 * Imports a threat feed (URLhaus, OpenPhish, PhishTank or a plain list) from a file or URL into the
 * store, streaming: parsed records go to the store in batches inside one transaction, so a
 * re-import replaces the feed whole and a failed one leaves the previous entries in place.
 */
import { AppError } from '../../core/errors.js';
import { feedEntryOf, feedFormats, newParseStats, type FeedFormatName, type FeedRecord, type ParseStats } from '../../feeds/index.js';
import type { FeedEntry } from '../../core/model/feed.js';
import type { Store } from '../../store/ports/store.js';
import { openFeedSource } from './feed-source.js';
import type { FeedFetch } from './fetch-feed.js';

/** Entries per store batch: large enough to amortise statements, small enough to keep memory flat. */
export const FEED_BATCH_SIZE = 1000;
const MAX_NAME_CHARS = 100;

export interface ImportFeedDeps {
  store: Pick<Store, 'feeds'>;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export interface ImportFeedOptions {
  format: FeedFormatName;
  /** A file path, or an http(s) URL (read with `fetch`). */
  source: string;
  /** The engine name in last_analysis_results; required for a plain list, else the format's (`URLhaus`, ...). */
  name?: string;
  /** Downloads http(s) sources; default: undici (fetchFeed). */
  fetch?: FeedFetch;
  /** Called as bytes are read (`totalBytes` when the size is known) with the records parsed so far. */
  onProgress?: (bytesRead: number, totalBytes: number | undefined, entries: number) => void;
  signal?: AbortSignal;
  /** Where a downloaded feed is spooled before import (see feed-source.ts); default the system's temporary directory. */
  spoolDir?: string;
  /**
   * Refuse to replace the feed with an empty one. Scheduled refreshes set it: an empty download
   * is far more often a broken mirror or an error page than a feed that listed nothing.
   */
  requireEntries?: boolean;
}

export interface ImportFeedResult {
  name: string;
  format: FeedFormatName;
  /** Entries stored (duplicates collapse into one). */
  entries: number;
  /** Lines or objects that were not a feed entry: malformed or too long (comments and blanks are not counted). */
  skipped: number;
  /** Unix seconds: the newest entry's date, else the import time. */
  feedDate: number;
  importedAt: number;
  /** The source as stored: an absolute path, or the URL without credentials. */
  source: string;
  bytesRead: number;
  stats: ParseStats;
}

/** The engine name a feed is stored under; throws InvalidArgumentError when it cannot be one. */
export function feedNameOf(format: FeedFormatName, name: string | undefined): string {
  if (name === undefined) {
    // A plain list is whatever the operator collected; naming it after no one would hide that.
    if (format === 'plain') throw new AppError('InvalidArgumentError', 'a plain list needs a name: the engine name its verdicts appear under');
    return feedFormats[format].engineName;
  }
  const trimmed = name.trim();
  // `#` separates a feed's name from its generation in the store (feed-repository.ts).
  if (trimmed === '' || trimmed.length > MAX_NAME_CHARS || /[\p{Cc}#]/u.test(trimmed)) {
    throw new AppError('InvalidArgumentError', `feed name must be 1 to ${MAX_NAME_CHARS} printable characters other than #`);
  }
  return trimmed;
}

export async function importFeed(deps: ImportFeedDeps, options: ImportFeedOptions): Promise<ImportFeedResult> {
  const name = feedNameOf(options.format, options.name);
  const format = feedFormats[options.format];
  const stats = newParseStats();
  const importedAt = Math.floor(deps.now() / 1000);
  let bytesRead = 0;
  let newest: number | undefined;

  const opened = await openFeedSource(options.source, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}),
    onBytes: (read, total) => {
      bytesRead = read;
      options.onProgress?.(read, total, stats.records);
    },
  });

  async function* batches(records: AsyncIterable<FeedRecord>): AsyncGenerator<FeedEntry[]> {
    let batch: FeedEntry[] = [];
    for await (const record of records) {
      if (record.addedAt !== null && (newest === undefined || record.addedAt > newest)) newest = record.addedAt;
      batch.push(feedEntryOf(record));
      if (batch.length >= FEED_BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    // Thrown inside the store's transaction, so the previous entries stay.
    if (options.requireEntries && stats.records === 0) {
      throw new AppError('InvalidArgumentError', `${opened.displaySource} gave no ${name} entries; the previous import is kept`);
    }
  }

  const info = {
    name,
    format: options.format,
    importedAt,
    source: opened.displaySource,
    // Read by the store after the last batch, when the newest entry is known.
    get feedDate(): number {
      return newest ?? importedAt;
    },
  };
  let entries: number;
  try {
    entries = await deps.store.feeds.replace(info, batches(format.parse(opened.bytes, stats)));
  } finally {
    await opened.close();
  }
  options.onProgress?.(bytesRead, opened.totalBytes, stats.records);
  return {
    name,
    format: options.format,
    entries,
    skipped: stats.malformed + stats.tooLong,
    feedDate: info.feedDate,
    importedAt,
    source: opened.displaySource,
    bytesRead,
    stats,
  };
}
