/** Storage port for imported URL feeds: replacing a feed's entries and looking URLs and hosts up in them. */
import type { FeedEntry, FeedInfo } from '../../core/model/feed.js';

export interface FeedRepository {
  /**
   * Replaces the feed's entries with `entries` in one transaction (readers see the old set or the
   * new one, never a mix) and records its info; returns the count stored (duplicates collapse).
   */
  replace(info: Omit<FeedInfo, 'entries'>, entries: AsyncIterable<FeedEntry[]>): Promise<number>;
  list(): Promise<FeedInfo[]>;
  /** Per feed that lists the URL id: its entry. */
  findUrl(urlId: string): Promise<Array<{ feed: string; entry: FeedEntry }>>;
  /** Per feed that lists any URL on the host: the first such entry and how many. */
  findHost(host: string): Promise<Array<{ feed: string; entry: FeedEntry; count: number }>>;
}
