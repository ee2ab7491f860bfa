/**
 * What every feed parser yields (one listed URL or host), the counts of what it skipped, and the
 * conversion of a record to the store's entry shape (URL id and host).
 */
import { isAppError } from '../core/errors.js';
import { canonicalizeUrl } from '../core/url-canonical.js';
import { urlIdOf } from '../core/url-ids.js';

export interface FeedRecord {
  /** The URL as the feed gives it; for a host-only record, the lower-case punycode host. */
  url: string;
  /** The feed's label (URLhaus threat, PhishTank target), or null. */
  threat: string | null;
  /** Unix seconds the feed says the entry was added, when it says. */
  addedAt: number | null;
  /** The feed lists the whole host (a bare host in a plain list), not one URL on it. */
  hostOnly: boolean;
}

/** What a parse skipped, by reason; `records` counts what it yielded. */
export interface ParseStats {
  records: number;
  comments: number;
  blank: number;
  malformed: number;
  tooLong: number;
}

export const newParseStats = (): ParseStats => ({ records: 0, comments: 0, blank: 0, malformed: 0, tooLong: 0 });

/** A line (or one JSON object) longer than this is skipped: no real feed entry comes close. */
export const MAX_LINE_CHARS = 16 * 1024;

/** The record for a feed's URL, or undefined when the text is not a URL we accept. */
export function urlRecord(url: string, threat: string | null, addedAt: number | null): FeedRecord | undefined {
  const text = url.trim();
  return canonicalOrUndefined(text) ? { url: text, threat: emptyToNull(threat), addedAt, hostOnly: false } : undefined;
}

/** The record for a bare host (domain or IP), normalised to lower-case punycode; undefined when not a host. */
export function hostRecord(host: string, threat: string | null, addedAt: number | null): FeedRecord | undefined {
  const text = host.trim().replace(/\.$/, '');
  if (text === '' || /[/?#@\s]/.test(text)) return undefined;
  const bracketed = text.includes(':') && !text.startsWith('[') ? `[${text}]` : text;
  const canonical = canonicalOrUndefined(`http://${bracketed}/`);
  if (!canonical || canonical.canonical !== `http://${bracketedHost(canonical.host)}/`) return undefined;
  return { url: canonical.host, threat: emptyToNull(threat), addedAt, hostOnly: true };
}

/** The store's FeedEntry for a record: URL id (empty for a host-only record) and host. */
export function feedEntryOf(record: FeedRecord): { urlId: string; host: string; threat: string | null; addedAt: number | null } {
  if (record.hostOnly) return { urlId: '', host: record.url, threat: record.threat, addedAt: record.addedAt };
  const { canonical, host } = canonicalizeUrl(record.url);
  return { urlId: urlIdOf(canonical), host, threat: record.threat, addedAt: record.addedAt };
}

/** `2024-01-15 12:34:56` (URLhaus, UTC) or ISO 8601 with a zone (PhishTank) to Unix seconds; null when unreadable. */
export function unixSecondsOf(text: string | undefined | null): number | null {
  if (!text) return null;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(text.trim()) ? `${text.trim().replace(' ', 'T')}Z` : text.trim();
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

const emptyToNull = (text: string | null): string | null => (text === null || text.trim() === '' ? null : text.trim());
const bracketedHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

function canonicalOrUndefined(text: string): ReturnType<typeof canonicalizeUrl> | undefined {
  try {
    return canonicalizeUrl(text);
  } catch (err) {
    if (isAppError(err)) return undefined;
    throw err;
  }
}
