/**
 * Imports a Tranco-style top-sites list (`rank,domain` per line, as Tranco, Umbrella and Majestic
 * publish them) into popularity_ranks, streaming, replacing the source's previous ranks whole.
 */
import { domainItemId } from '../../core/community-ids.js';
import { linesOfStream } from '../../feeds/index.js';
import type { Store } from '../../store/ports/store.js';
import { openFeedSource } from './feed-source.js';
import type { FeedFetch } from './fetch-feed.js';
import { FEED_BATCH_SIZE } from './import-feed.js';

export interface ImportPopularityOptions {
  source: string;
  /** The key in popularity_ranks; default `Tranco`. */
  name?: string;
  fetch?: FeedFetch;
  onProgress?: (bytesRead: number, totalBytes: number | undefined, entries: number) => void;
  spoolDir?: string;
}

export interface ImportPopularityResult {
  name: string;
  entries: number;
  skipped: number;
  source: string;
  date: number;
}

export async function importPopularity(deps: { store: Pick<Store, 'popularity'>; now: () => number }, options: ImportPopularityOptions): Promise<ImportPopularityResult> {
  const name = options.name?.trim() || 'Tranco';
  const date = Math.floor(deps.now() / 1000);
  let parsed = 0;
  let skipped = 0;
  const opened = await openFeedSource(options.source, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}),
    onBytes: (read, total) => options.onProgress?.(read, total, parsed),
  });

  async function* batches(): AsyncGenerator<Array<{ domain: string; rank: number }>> {
    let batch: Array<{ domain: string; rank: number }> = [];
    for await (const line of linesOfStream(opened.bytes)) {
      const text = line.trim();
      if (text === '' || text.startsWith('#')) continue;
      const [rankText, domainText] = text.split(',', 2);
      const rank = Number(rankText);
      const domain = domainText === undefined ? undefined : domainItemId(domainText.trim());
      if (!Number.isInteger(rank) || rank < 1 || !domain) {
        skipped += 1;
        continue;
      }
      parsed += 1;
      batch.push({ domain, rank });
      if (batch.length >= FEED_BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  try {
    const entries = await deps.store.popularity.replace(name, date, batches());
    return { name, entries, skipped, source: opened.displaySource, date };
  } finally {
    await opened.close();
  }
}
