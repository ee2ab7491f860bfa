/** Public surface of the URL blocklist engines (the feed formats they read are in src/feeds/). */
export { BLOCKLIST_ENGINE_VERSION, BlocklistEngine } from './blocklist-engine.js';
export type { FeedIndex, FeedIndexEntry } from './feed-index.js';
export { resultForThreat } from './verdict-words.js';
