/**
 * A URL engine for one imported feed (URLhaus, OpenPhish, PhishTank, a plain list).
 *   - the exact URL is listed: malicious, result from the entry's threat (malware, phishing, malicious);
 *   - the feed lists the host itself (a bare host in a plain list), or a parent domain of it up
 *     to the registrable domain: malicious;
 *   - the feed lists other URLs on the host, not this one: undetected `unrated`. Shared hosts
 *     (file lockers, hosting) carry listed and honest URLs side by side, so this is not a verdict;
 *   - nothing: harmless `clean`.
 */
import { isIP } from 'node:net';
import { getDomain } from 'tldts';
import type { PluginManifest, Readiness, UrlEngine, UrlInput, UrlVerdict } from '../../core/plugin.js';
import { urlIdOf } from '../../core/url-ids.js';
import type { FeedIndex, FeedIndexEntry } from './feed-index.js';
import { feedFormats, formatOfEngine, type FeedFormatName } from '../../feeds/registry.js';
import { resultForThreat } from './verdict-words.js';

export const BLOCKLIST_ENGINE_VERSION = '1.0.0';
/** A feed changes on import; re-reading its info this often picks that up without a query per scan. */
const INFO_TTL_MS = 60_000;

export class BlocklistEngine implements UrlEngine {
  readonly manifest: PluginManifest;
  private readiness: Readiness = { ready: false, detail: 'not started' };
  private checkedAt = -Infinity;
  private readonly format: FeedFormatName;

  constructor(
    private readonly feedName: string,
    private readonly index: FeedIndex,
  ) {
    this.format = formatOfEngine(feedName) ?? 'plain';
    this.manifest = {
      name: feedName,
      version: BLOCKLIST_ENGINE_VERSION,
      description: `URL blocklist from the imported ${feedName} feed`,
      accepts: { kinds: ['url'] },
      timeoutMs: 10_000,
      needsNetwork: false,
    };
  }

  start(): Promise<Readiness> {
    return this.refresh();
  }

  /** Re-reads the feed's size and date (after an import); never throws. */
  async refresh(): Promise<Readiness> {
    this.checkedAt = Date.now();
    try {
      const info = await this.index.info(this.feedName);
      if (!info || info.entries === 0) {
        this.readiness = { ready: false, detail: `no entries imported; run assay feeds import ${this.format} FILE` };
      } else {
        const date = yyyymmdd(info.feedDate);
        this.readiness = {
          ready: true,
          detail: `${info.entries} entries, feed of ${date}`,
          engineVersion: BLOCKLIST_ENGINE_VERSION,
          signatureVersion: date,
          engineUpdate: date,
        };
      }
    } catch (err) {
      this.readiness = { ready: false, detail: `feed index unavailable: ${err instanceof Error ? err.message : String(err)}` };
    }
    return this.readiness;
  }

  status(): Readiness {
    return this.readiness;
  }

  async scanUrl(input: UrlInput, signal: AbortSignal): Promise<UrlVerdict> {
    signal.throwIfAborted();
    if (Date.now() - this.checkedAt > INFO_TTL_MS) await this.refresh();
    const base = { method: 'blacklist', ...(this.readiness.engineUpdate ? { engineUpdate: this.readiness.engineUpdate } : {}) };

    const listed = this.own(await this.index.findUrl(urlIdOf(input.canonicalUrl)));
    if (listed) return { ...base, category: 'malicious', result: this.resultFor(listed) };

    let otherUrlsOnHost = false;
    for (const [i, host] of hostAndParents(input.host).entries()) {
      signal.throwIfAborted();
      const hit = this.own(await this.index.findHost(host));
      if (!hit) continue;
      if (hit.urlId === '') return { ...base, category: 'malicious', result: this.resultFor(hit) };
      if (i === 0) otherUrlsOnHost = true;
    }
    return otherUrlsOnHost ? { ...base, category: 'undetected', result: 'unrated' } : { ...base, category: 'harmless', result: 'clean' };
  }

  async close(): Promise<void> {}

  private own(hits: ReadonlyArray<{ feed: string; entry: FeedIndexEntry }>): FeedIndexEntry | undefined {
    return hits.find((h) => h.feed === this.feedName)?.entry;
  }

  private resultFor(entry: FeedIndexEntry): string {
    return resultForThreat(entry.threat, feedFormats[this.format].defaultResult);
  }
}

/** `a.b.example.co.uk` -> itself, `b.example.co.uk`, `example.co.uk`; an IP or a bare name -> itself. */
function hostAndParents(host: string): string[] {
  const hosts = [host];
  if (isIP(host)) return hosts;
  const domain = getDomain(host);
  if (!domain) return hosts;
  for (let h = host; h !== domain && h.includes('.'); ) {
    h = h.slice(h.indexOf('.') + 1);
    hosts.push(h);
  }
  return hosts;
}

const yyyymmdd = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10).replace(/-/g, '');
