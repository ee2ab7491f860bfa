/**
 * The URL engines in force: the heuristics, and one blocklist engine per imported feed (URLhaus,
 * OpenPhish and PhishTank always listed, ready once imported; plain lists under the names they
 * were imported with). Feeds are imported by another process (`assay feeds import`) while the
 * server runs, so the set is re-read from the store at most every few seconds.
 */
import { BlocklistEngine, type FeedIndex } from '../engines/url-blocklist/index.js';
import type { Readiness, UrlEngine } from '../core/plugin.js';
import type { FeedRepository } from '../store/ports/feed-repository.js';

const SYNC_INTERVAL_MS = 5_000;
const WELL_KNOWN_FEEDS = ['URLhaus', 'OpenPhish', 'PhishTank'];

export class UrlEngineSet {
  private readonly blocklists = new Map<string, BlocklistEngine>();
  private syncedAt = Number.NEGATIVE_INFINITY;
  private syncing: Promise<void> | undefined;
  private readonly index: FeedIndex;

  constructor(
    private readonly feeds: FeedRepository,
    private readonly fixed: readonly UrlEngine[],
    private readonly now: () => number = Date.now,
  ) {
    this.index = {
      findUrl: (urlId) => feeds.findUrl(urlId),
      findHost: (host) => feeds.findHost(host),
      info: async (feed) => (await feeds.list()).find((f) => f.name === feed),
    };
    for (const name of WELL_KNOWN_FEEDS) this.blocklists.set(name, new BlocklistEngine(name, this.index));
  }

  /** The engines as of the last sync (for `assay engines` and /metadata). */
  list(): UrlEngine[] {
    return [...this.fixed, ...this.blocklists.values()];
  }

  async start(): Promise<Array<{ name: string; readiness: Readiness }>> {
    await this.sync(true);
    return Promise.all([...this.fixed.map(async (e) => ({ name: e.manifest.name, readiness: await e.start() })), ...[...this.blocklists.values()].map((e) => ({ name: e.manifest.name, readiness: e.status() }))]);
  }

  /** The current engines, after picking up feeds imported since the last look. */
  async current(): Promise<UrlEngine[]> {
    if (this.now() - this.syncedAt >= SYNC_INTERVAL_MS) await this.sync(false);
    return this.list();
  }

  private sync(force: boolean): Promise<void> {
    if (!force && this.syncing) return this.syncing;
    this.syncing = (async () => {
      try {
        for (const feed of await this.feeds.list()) {
          if (!this.blocklists.has(feed.name)) this.blocklists.set(feed.name, new BlocklistEngine(feed.name, this.index));
        }
        await Promise.all([...this.blocklists.values()].map((engine) => engine.refresh()));
        this.syncedAt = this.now();
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.list().map((e) => e.close()));
  }
}
