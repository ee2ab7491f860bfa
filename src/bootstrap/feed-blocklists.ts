/**
 * The blocklist URL engines as a plugin source: one engine per imported feed (URLhaus, OpenPhish
 * and PhishTank always listed, ready once imported; plain lists under the names they were imported
 * with). Feeds are imported by another process (`assay feeds import`) while the server runs, so the
 * host refreshes this source now and then (pipeline/plugin-host.ts).
 */
import type { UrlEngine } from '../core/plugin.js';
import { BlocklistEngine, type FeedIndex } from '../url-engines/url-blocklist/index.js';
import type { PluginSource } from '../pipeline/plugin-registry.js';
import type { FeedRepository } from '../store/ports/feed-repository.js';

const WELL_KNOWN_FEEDS = ['URLhaus', 'OpenPhish', 'PhishTank'];

export class FeedBlocklists implements PluginSource<UrlEngine> {
  private readonly blocklists = new Map<string, BlocklistEngine>();
  private readonly index: FeedIndex;

  constructor(private readonly feeds: FeedRepository) {
    this.index = {
      findUrl: (urlId) => feeds.findUrl(urlId),
      findHost: (host) => feeds.findHost(host),
      info: async (feed) => (await feeds.list()).find((f) => f.name === feed),
    };
    for (const name of WELL_KNOWN_FEEDS) this.blocklists.set(name, new BlocklistEngine(name, this.index));
  }

  list(): UrlEngine[] {
    return [...this.blocklists.values()];
  }

  /** Adds an engine for each feed imported since, and re-reads every feed's size and date. */
  async refresh(): Promise<void> {
    for (const feed of await this.feeds.list()) {
      if (!this.blocklists.has(feed.name)) this.blocklists.set(feed.name, new BlocklistEngine(feed.name, this.index));
    }
    await Promise.all([...this.blocklists.values()].map((engine) => engine.refresh()));
  }
}
