/** Public surface of the URL heuristics engine. */
export { assessUrl, type Assessment } from './assess-url.js';
export { DEFAULT_LISTS_DATE, PHISHED_BRANDS, SUSPICIOUS_TLDS, URL_SHORTENERS } from './default-lists.js';
export { URL_HEURISTICS_NAME, urlHeuristicsManifest } from './manifest.js';
export type { Signal } from './signal.js';
export type { CompiledLists } from './url-signals.js';
export { compileLists, createUrlHeuristicsEngine, type UrlHeuristicsOptions } from './url-heuristics-engine.js';
