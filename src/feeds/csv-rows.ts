/**
 * RFC 4180 records from lines, with `#` comment lines. Hand-written rather than a CSV library: one
 * small format, read as a stream of lines, and no dependency for it. One record per line: the feeds
 * never break a quoted field across lines, and allowing it would let one stray quote swallow the file.
 */
import { MAX_LINE_CHARS, type ParseStats } from './feed-record.js';

export type CsvRow = { fields: string[] } | { comment: string };

/** Fields of one record line; undefined when malformed (an unclosed quote, text after a closing quote). */
export function splitCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote === -1) return undefined;
        value += text.slice(i, quote);
        if (text[quote + 1] !== '"') {
          i = quote + 1;
          break;
        }
        value += '"';
        i = quote + 2;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== ',') return undefined;
      i += 1;
    } else {
      const comma = text.indexOf(',', i);
      // A stray quote inside an unquoted field is kept as text: feeds are not always strict.
      fields.push(comma === -1 ? text.slice(i) : text.slice(i, comma));
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}

/** Rows of a CSV feed; blank, malformed and over-long lines are counted in `stats` and skipped. */
export async function* csvRows(lines: AsyncIterable<string>, stats: ParseStats): AsyncGenerator<CsvRow> {
  for await (const line of lines) {
    if (line.length > MAX_LINE_CHARS) stats.tooLong += 1;
    else if (line.trim() === '') stats.blank += 1;
    else if (line.startsWith('#')) yield { comment: line };
    else {
      const fields = splitCsvRecord(line);
      if (fields === undefined) stats.malformed += 1;
      else yield { fields };
    }
  }
}
