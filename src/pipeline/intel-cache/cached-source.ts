/**
 * The decorator the host puts in front of every intel source: an IntelSource-shaped wrapper whose
 * lookup goes through the shared CachedIntel (TTL, single flight, budget) and says how fresh the
 * answer is (`freshness`). Lifecycle and readiness are the source's own.
 */
import type { IntelLookupOptions, IntelResult, IntelSource, IntelTarget } from '../../core/plugin.js';
import type { CachedIntel } from './cached-intel.js';

/** Calls per minute per source across processes, by source name (geo reads local files: unlimited). */
export const DEFAULT_INTEL_BUDGETS: Readonly<Record<string, number>> = { dns: 600, rdap: 60, tls: 120 };

export interface CachedSourceOptions {
  /** Calls to the source allowed per minute, across processes sharing the store; absent: unlimited. */
  budgetPerMinute?: number;
}

export function cachedSource(cache: CachedIntel, source: IntelSource, options: CachedSourceOptions = {}): IntelSource {
  const wrapper: IntelSource = {
    manifest: source.manifest,
    cacheTtlMs: source.cacheTtlMs,
    start: () => source.start(),
    close: () => source.close(),
    async lookup(target: IntelTarget, signal: AbortSignal, lookupOptions: IntelLookupOptions = {}): Promise<IntelResult> {
      const found = await cache.lookup(source, target, signal, { force: lookupOptions.force, budgetPerMinute: options.budgetPerMinute });
      return { ...found.result, freshness: { fetchedAt: found.fetchedAt, fromCache: found.fromCache, stale: found.stale } };
    },
  };
  // Only a source whose readiness changes while it runs has status(); the wrapper keeps that shape.
  if (source.status) wrapper.status = () => source.status!();
  return wrapper;
}
