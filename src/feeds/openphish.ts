/** OpenPhish feed (feed.txt): one phishing URL per line, nothing else. Comment lines are tolerated. */
import { newParseStats, MAX_LINE_CHARS, urlRecord, type FeedRecord, type ParseStats } from './feed-record.js';

export async function* parseOpenPhish(lines: AsyncIterable<string>, stats: ParseStats = newParseStats()): AsyncGenerator<FeedRecord> {
  for await (const line of lines) {
    if (line.length > MAX_LINE_CHARS) stats.tooLong += 1;
    else if (line.trim() === '') stats.blank += 1;
    else if (line.trimStart().startsWith('#')) stats.comments += 1;
    else {
      const record = urlRecord(line, null, null);
      if (!record) stats.malformed += 1;
      else {
        stats.records += 1;
        yield record;
      }
    }
  }
}
