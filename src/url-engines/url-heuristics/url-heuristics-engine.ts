/** The URL heuristics engine: configured lists compiled once, every URL assessed in-process. */
import type { Readiness, UrlEngine, UrlInput, UrlVerdict } from '../../core/plugin.js';
import { assessUrl } from './assess-url.js';
import { compileBrands } from './brand-match.js';
import { DEFAULT_LISTS_DATE, PHISHED_BRANDS, SUSPICIOUS_TLDS, URL_SHORTENERS } from './default-lists.js';
import { URL_HEURISTICS_VERSION, urlHeuristicsManifest } from './manifest.js';
import type { CompiledLists } from './url-signals.js';

export interface UrlHeuristicsOptions {
  /** TLDs without the dot (`zip`, `tk`); default SUSPICIOUS_TLDS. */
  suspiciousTlds?: readonly string[];
  /** Shortener hosts (`bit.ly`); default URL_SHORTENERS. */
  shorteners?: readonly string[];
  /** Brand word -> registrable domains it really uses; default PHISHED_BRANDS. */
  brands?: Readonly<Record<string, readonly string[]>>;
}

/** The options' lists (or the defaults) in the form the checks use. */
export const compileLists = (options: UrlHeuristicsOptions = {}): CompiledLists => ({
  suspiciousTlds: new Set((options.suspiciousTlds ?? SUSPICIOUS_TLDS).map((t) => t.toLowerCase().replace(/^\./, ''))),
  shorteners: new Set((options.shorteners ?? URL_SHORTENERS).map((h) => h.toLowerCase())),
  brands: compileBrands(options.brands ?? PHISHED_BRANDS),
});

export function createUrlHeuristicsEngine(options: UrlHeuristicsOptions = {}): UrlEngine {
  const manifest = urlHeuristicsManifest();
  const lists = compileLists(options);
  const readiness: Readiness = {
    ready: true,
    detail: `${lists.brands.length} brands, ${lists.shorteners.size} shorteners, ${lists.suspiciousTlds.size} suspicious TLDs`,
    engineVersion: URL_HEURISTICS_VERSION,
    signatureVersion: DEFAULT_LISTS_DATE,
    engineUpdate: DEFAULT_LISTS_DATE,
  };

  return {
    manifest,
    start: async () => readiness,
    async scanUrl(input: UrlInput, signal: AbortSignal): Promise<UrlVerdict> {
      signal.throwIfAborted();
      const { verdict } = assessUrl(input, lists);
      return { ...verdict, method: 'heuristic', engineUpdate: DEFAULT_LISTS_DATE };
    },
    close: async () => {},
  };
}
