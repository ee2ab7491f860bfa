/**
 * Threat-feed formats (URLhaus, OpenPhish, PhishTank, plain lists) and the bounded line reader they
 * share: feed bytes in, entries out. Used by the feed imports in app/feeds and by the URL blocklist
 * engines; imports only core/.
 */
export { detectFeedFormat } from './detect-format.js';
export { feedEntryOf, MAX_LINE_CHARS, newParseStats, type FeedRecord, type ParseStats } from './feed-record.js';
export { parseOpenPhish } from './openphish.js';
export { parsePhishtankCsv } from './phishtank-csv.js';
export { parsePhishtankJson } from './phishtank-json.js';
export { parsePlainList } from './plain-list.js';
export { linesOf, linesOfStream, textOf } from './read-lines.js';
export { feedFormats, formatOfEngine, isFeedFormatName, type BlocklistResult, type FeedFormat, type FeedFormatName } from './registry.js';
export { parseUrlhausCsv } from './urlhaus-csv.js';
