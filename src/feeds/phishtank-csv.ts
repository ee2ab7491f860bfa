/**
 * PhishTank CSV (online-valid.csv): a header line
 * `phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target`, then one
 * phish per line, fields quoted when they hold commas. The target (e.g. `PayPal`) becomes the threat.
 */
import { csvRows } from './csv-rows.js';
import { newParseStats, unixSecondsOf, urlRecord, type FeedRecord, type ParseStats } from './feed-record.js';

const DEFAULT_COLUMNS = ['phish_id', 'url', 'phish_detail_url', 'submission_time', 'verified', 'verification_time', 'online', 'target'];

export async function* parsePhishtankCsv(lines: AsyncIterable<string>, stats: ParseStats = newParseStats()): AsyncGenerator<FeedRecord> {
  let columns = columnsOf(DEFAULT_COLUMNS);
  for await (const row of csvRows(lines, stats)) {
    if ('comment' in row) {
      stats.comments += 1;
      continue;
    }
    const { fields } = row;
    if (fields[0] === 'phish_id') {
      columns = columnsOf(fields);
      stats.comments += 1;
      continue;
    }
    const url = fields[columns.url];
    const record = url === undefined ? undefined : urlRecord(url, fields[columns.target] ?? null, unixSecondsOf(fields[columns.submission_time]));
    if (!record) {
      stats.malformed += 1;
      continue;
    }
    stats.records += 1;
    yield record;
  }
}

function columnsOf(names: readonly string[]): { url: number; target: number; submission_time: number } {
  const at = (name: string, fallback: number) => (names.indexOf(name) === -1 ? fallback : names.indexOf(name));
  return { url: at('url', 1), target: at('target', 7), submission_time: at('submission_time', 3) };
}
