export { createHashlistEngine, HASHLIST_ENGINE_NAME, type HashlistEngineOptions } from './hashlist-engine.js';
export { HASH_LIST_FORMATS, isHashListFormat, parseHashListLine, type HashListFormat } from './hash-list-formats.js';
