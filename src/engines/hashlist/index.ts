/** Public surface of the Assay-Hashlist engine: the engine and the hash-list formats it is fed. */
export { createHashlistEngine, HASHLIST_ENGINE_NAME, type HashlistEngineOptions } from './hashlist-engine.js';
export { HASH_LIST_FORMATS, isHashListFormat, parseHashListLine, type HashListFormat } from './hash-list-formats.js';
