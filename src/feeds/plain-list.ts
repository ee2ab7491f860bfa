/**
 * A plain list: one URL or bare host per line, `#` comments (whole lines, or after white space), and
 * hosts-file lines (`0.0.0.0 evil.example`). A bare host lists the whole host (a host-only record).
 */
import { isIP } from 'node:net';
import { hostRecord, MAX_LINE_CHARS, newParseStats, urlRecord, type FeedRecord, type ParseStats } from './feed-record.js';

const HOSTS_FILE_LINE = /^(?:0\.0\.0\.0|127\.0\.0\.1|::1?)\s+(\S+)$/;
/** Names hosts files carry for the machine itself; listing them would flag localhost. */
const HOSTS_FILE_BOILERPLATE: ReadonlySet<string> = new Set(['localhost', 'localhost.localdomain', 'local', 'broadcasthost', '0.0.0.0', 'ip6-localhost', 'ip6-loopback']);

export async function* parsePlainList(lines: AsyncIterable<string>, stats: ParseStats = newParseStats()): AsyncGenerator<FeedRecord> {
  for await (const line of lines) {
    if (line.length > MAX_LINE_CHARS) {
      stats.tooLong += 1;
      continue;
    }
    const text = line.replace(/\s+#.*$/, '').trim();
    if (text === '') {
      if (line.trim() === '') stats.blank += 1;
      else stats.comments += 1;
      continue;
    }
    if (text.startsWith('#')) {
      stats.comments += 1;
      continue;
    }
    const hostsEntry = HOSTS_FILE_LINE.exec(text)?.[1];
    if (hostsEntry !== undefined && HOSTS_FILE_BOILERPLATE.has(hostsEntry.toLowerCase())) {
      stats.comments += 1;
      continue;
    }
    const record = hostsEntry !== undefined ? hostRecord(hostsEntry, null, null) : recordOf(text);
    if (!record) {
      stats.malformed += 1;
      continue;
    }
    stats.records += 1;
    yield record;
  }
}

/** With a scheme, a path, a query or a port it is a URL; otherwise a host (`*.` wildcards read as the host). */
function recordOf(text: string): FeedRecord | undefined {
  if (isIP(text) !== 0) return hostRecord(text, null, null);
  if (text.includes('://') || /[/?:]/.test(text)) return urlRecord(text, null, null);
  return hostRecord(text.replace(/^\*\./, ''), null, null);
}
