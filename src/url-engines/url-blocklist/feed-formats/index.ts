/** Public surface of the feed formats. */
export { detectFeedFormat } from './detect-format.js';
export { feedEntryOf, MAX_LINE_CHARS, newParseStats, type FeedRecord, type ParseStats } from './feed-record.js';
export { parseOpenPhish } from './openphish.js';
export { parsePhishtankCsv } from './phishtank-csv.js';
export { parsePhishtankJson } from './phishtank-json.js';
export { parsePlainList } from './plain-list.js';
export { linesOf, linesOfStream, textOf } from './read-lines.js';
export { feedFormats, formatOfEngine, isFeedFormatName, type BlocklistResult, type FeedFormat, type FeedFormatName } from './registry.js';
export { parseUrlhausCsv } from './urlhaus-csv.js';
