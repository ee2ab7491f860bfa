/**
 * URLhaus CSV (csv.txt, csv_online.txt): `#` comment lines, one of them the column header
 * (`# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter`), then quoted fields.
 * Columns are found by that header, so the older layout without `last_online` reads too.
 */
import { csvRows } from './csv-rows.js';
import { newParseStats, unixSecondsOf, urlRecord, type FeedRecord, type ParseStats } from './feed-record.js';

const DEFAULT_COLUMNS = ['id', 'dateadded', 'url', 'url_status', 'last_online', 'threat', 'tags', 'urlhaus_link', 'reporter'];
const HEADER_COMMENT = /^#\s*(id,dateadded,.*)$/;

export async function* parseUrlhausCsv(lines: AsyncIterable<string>, stats: ParseStats = newParseStats()): AsyncGenerator<FeedRecord> {
  let columns = columnsOf(DEFAULT_COLUMNS);
  for await (const row of csvRows(lines, stats)) {
    if ('comment' in row) {
      stats.comments += 1;
      const header = HEADER_COMMENT.exec(row.comment.trim());
      if (header) columns = columnsOf(header[1]!.split(',').map((c) => c.trim()));
      continue;
    }
    const { fields } = row;
    if (fields[0] === 'id' && fields[2] === 'url') {
      columns = columnsOf(fields);
      stats.comments += 1;
      continue;
    }
    const url = fields[columns.url];
    const record = url === undefined ? undefined : urlRecord(url, fields[columns.threat] ?? null, unixSecondsOf(fields[columns.dateadded]));
    if (!record) {
      stats.malformed += 1;
      continue;
    }
    stats.records += 1;
    yield record;
  }
}

function columnsOf(names: readonly string[]): { url: number; threat: number; dateadded: number } {
  const at = (name: string, fallback: number) => (names.indexOf(name) === -1 ? fallback : names.indexOf(name));
  return { url: at('url', 2), threat: at('threat', 5), dateadded: at('dateadded', 1) };
}
