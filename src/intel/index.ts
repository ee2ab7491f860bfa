/** Public surface of the intel sources for domains and IPs (dns, rdap, tls, geo) and their cache. */
export * from './dns/index.js';
export * from './geo/index.js';
export * from './rdap/index.js';
export * from './tls/index.js';
export {
  CachedIntel,
  NEGATIVE_CACHE_MS,
  cacheKey,
  type CachedIntelOptions,
  type CachedLookup,
  type CachedValue,
  type IntelCacheStore,
  type LookupOptions,
} from './intel-cache.js';
export { MemoryIntelCacheStore } from './memory-intel-cache-store.js';
