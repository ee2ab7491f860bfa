/** Public surface of the URL blocklist engines and their feed formats. */
export { BLOCKLIST_ENGINE_VERSION, BlocklistEngine } from './blocklist-engine.js';
export type { FeedIndex, FeedIndexEntry } from './feed-index.js';
export * from './feed-formats/index.js';
export { resultForThreat } from './verdict-words.js';
