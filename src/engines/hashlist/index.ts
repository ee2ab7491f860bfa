/** Public surface of the Assay-Hashlist engine (the hash-list formats it is fed live in src/feeds/). */
export { createHashlistEngine, HASHLIST_ENGINE_NAME, type HashlistEngineOptions } from './hashlist-engine.js';
