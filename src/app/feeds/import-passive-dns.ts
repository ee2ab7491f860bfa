/**
 * Imports passive DNS from a JSON-lines file into resolutions (docs/intel.md gives the format):
 * Assay's own lines `{"host_name","ip_address","first_seen","last_seen","resolver"}`, or DNSDB-style
 * lines `{"rrname","rrtype":"A"|"AAAA","rdata":[...],"time_first","time_last"}` as passive-DNS
 * services export them. Known pairs keep their earliest first and latest last sighting.
 */
import { domainItemId, ipItemId } from '../../core/community-ids.js';
import { linesOfStream } from '../../feeds/index.js';
import type { Store } from '../../store/ports/store.js';
import { openFeedSource } from './feed-source.js';
import type { FeedFetch } from './fetch-feed.js';
import { FEED_BATCH_SIZE } from './import-feed.js';

export interface ImportPassiveDnsOptions {
  source: string;
  /** Recorded as `resolver` where a line names none; default `import`. */
  resolver?: string;
  fetch?: FeedFetch;
  onProgress?: (bytesRead: number, totalBytes: number | undefined, entries: number) => void;
  spoolDir?: string;
}

export interface ImportPassiveDnsResult {
  /** Resolutions read (a DNSDB line with several addresses counts each). */
  resolutions: number;
  skipped: number;
  source: string;
}

type Observation = { hostName: string; ipAddress: string; resolver: string; at: number };

/** Unix seconds from a number (seconds or milliseconds) or an ISO 8601 date; undefined when neither. */
function secondsOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value > 1e11 ? value / 1000 : value);
  if (typeof value === 'string' && value !== '') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  return undefined;
}

/** The sightings a line describes: first and last, per address; none when the line is not one. */
export function observationsOf(line: Record<string, unknown>, defaultResolver: string): Observation[] | undefined {
  const resolver = typeof line.resolver === 'string' && line.resolver.length <= 200 ? line.resolver : defaultResolver;
  let host: string | undefined;
  let addresses: unknown[];
  let first: number | undefined;
  let last: number | undefined;
  if ('host_name' in line) {
    host = typeof line.host_name === 'string' ? domainItemId(line.host_name) : undefined;
    addresses = [line.ip_address];
    first = secondsOf(line.first_seen ?? line.date);
    last = secondsOf(line.last_seen ?? line.date) ?? first;
  } else if ('rrname' in line) {
    if (line.rrtype !== 'A' && line.rrtype !== 'AAAA') return undefined;
    host = typeof line.rrname === 'string' ? domainItemId(line.rrname) : undefined;
    addresses = Array.isArray(line.rdata) ? line.rdata.slice(0, 100) : [line.rdata];
    first = secondsOf(line.time_first ?? line.zone_time_first);
    last = secondsOf(line.time_last ?? line.zone_time_last) ?? first;
  } else {
    return undefined;
  }
  const ips = addresses.map((a) => (typeof a === 'string' ? ipItemId(a) : undefined));
  if (!host || first === undefined || last === undefined || ips.length === 0 || ips.some((ip) => ip === undefined)) return undefined;
  return ips.flatMap((ip) => [
    { hostName: host, ipAddress: ip!, resolver, at: Math.min(first, last) },
    { hostName: host, ipAddress: ip!, resolver, at: Math.max(first, last) },
  ]);
}

export async function importPassiveDns(deps: { store: Pick<Store, 'resolutions'> }, options: ImportPassiveDnsOptions): Promise<ImportPassiveDnsResult> {
  const resolver = options.resolver?.trim() || 'import';
  let resolutions = 0;
  let skipped = 0;
  const opened = await openFeedSource(options.source, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.spoolDir ? { spoolDir: options.spoolDir } : {}),
    onBytes: (read, total) => options.onProgress?.(read, total, resolutions),
  });
  try {
    let batch: Observation[] = [];
    for await (const text of linesOfStream(opened.bytes)) {
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const observations = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? observationsOf(parsed as Record<string, unknown>, resolver) : undefined;
      if (!observations) {
        skipped += 1;
        continue;
      }
      resolutions += observations.length / 2;
      batch.push(...observations);
      if (batch.length >= FEED_BATCH_SIZE) {
        await deps.store.resolutions.record(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await deps.store.resolutions.record(batch);
    return { resolutions, skipped, source: opened.displaySource };
  } finally {
    await opened.close();
  }
}
