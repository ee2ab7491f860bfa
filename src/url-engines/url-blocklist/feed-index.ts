/**
 * What a blocklist engine reads: imported feed entries by URL id and by host. The store's
 * FeedRepository fits it; the engine sees nothing else of storage.
 */

export interface FeedIndexEntry {
  /** The feed's label (URLhaus threat, PhishTank target), or null. */
  threat: string | null;
  /** sha256 of the listed canonical URL; empty when the feed lists the whole host. */
  urlId?: string;
}

export interface FeedIndex {
  /** Per feed that lists this URL id: its entry. */
  findUrl(urlId: string): Promise<Array<{ feed: string; entry: FeedIndexEntry }>>;
  /**
   * Per feed that lists anything on the host: how many entries, and one of them. When the feed
   * lists the host itself, that entry (urlId '') must be the one returned.
   */
  findHost(host: string): Promise<Array<{ feed: string; count: number; entry: FeedIndexEntry }>>;
  /** The feed's size and date (Unix seconds), or undefined when it was never imported. */
  info(feed: string): Promise<{ entries: number; feedDate: number } | undefined>;
}
