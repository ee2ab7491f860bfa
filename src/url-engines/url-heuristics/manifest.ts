/** What the URL heuristics engine declares to the pipeline. */
import type { PluginManifest } from '../../core/plugin.js';

export const URL_HEURISTICS_NAME = 'Assay URL heuristics';
export const URL_HEURISTICS_VERSION = '1.0.0';

export function urlHeuristicsManifest(): PluginManifest {
  return {
    name: URL_HEURISTICS_NAME,
    version: URL_HEURISTICS_VERSION,
    description: 'Phishing and trickery signals in the URL and the fetched page: brand lookalikes, off-site password forms, IP hosts, shorteners',
    accepts: { kinds: ['url'] },
    // Pure computation over at most a few MiB of page text.
    timeoutMs: 5_000,
    needsNetwork: false,
  };
}
