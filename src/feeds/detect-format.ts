/**
 * Guesses a feed file's format from its first lines. OpenPhish's feed is indistinguishable from a
 * plain list of URLs, so it is never guessed: a list of URLs reads as `plain` unless named.
 */
import { splitCsvRecord } from './csv-rows.js';
import type { FeedFormatName } from './registry.js';

export function detectFeedFormat(firstLines: readonly string[]): FeedFormatName | undefined {
  const lines = firstLines.map((l) => l.replace(/^\uFEFF/, '').trim()).filter((l) => l !== '');
  if (lines.some((l) => l.startsWith('#') && (/\burlhaus\b/i.test(l) || /^#\s*id,dateadded,url\b/.test(l)))) return 'urlhaus';
  const data = lines.filter((l) => !l.startsWith('#'));
  const first = data[0];
  if (first === undefined) return undefined;
  if (first.startsWith('[') || first.startsWith('{') || /^phish_id,url,/.test(first)) return 'phishtank';
  const fields = splitCsvRecord(first);
  if (fields && fields.some((f) => f.startsWith('https://urlhaus.abuse.ch/'))) return 'urlhaus';
  if (fields && fields.length >= 8 && fields.some((f) => f.startsWith('http://www.phishtank.com/') || f.startsWith('https://www.phishtank.com/'))) return 'phishtank';
  return 'plain';
}
