/** Public surface of the hash-list use cases: importing lists and the service the CLI calls. */
export { importHashList, HASH_BATCH_SIZE, type ImportHashListOptions, type ImportHashListResult } from './import-hash-list.js';
export { createHashListService, type HashListService } from './hash-list-service.js';
