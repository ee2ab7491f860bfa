/**
 * The feed formats by name, as `assay feeds import <format> FILE` takes them: the engine name each
 * becomes in last_analysis_results, the VT result its listed URLs get by default, and its parser.
 */
import { newParseStats, type FeedRecord, type ParseStats } from './feed-record.js';
import { parseOpenPhish } from './openphish.js';
import { parsePhishtankCsv } from './phishtank-csv.js';
import { parsePhishtankJson } from './phishtank-json.js';
import { parsePlainList } from './plain-list.js';
import { linesOf, textOf } from './read-lines.js';
import { parseUrlhausCsv } from './urlhaus-csv.js';

/** VT's words for a listed URL. */
export type BlocklistResult = 'malware' | 'phishing' | 'malicious';

export interface FeedFormat {
  /** Key in last_analysis_results; a plain list is usually imported under a name of the user's. */
  engineName: string;
  /** The result of a listed URL whose own label says nothing more specific. */
  defaultResult: BlocklistResult;
  /** Records of a feed file (a Readable, or any source of bytes or text); skips counted in `stats`. */
  parse(source: AsyncIterable<string | Uint8Array>, stats?: ParseStats): AsyncGenerator<FeedRecord>;
}

export const feedFormats = {
  urlhaus: {
    engineName: 'URLhaus',
    defaultResult: 'malware',
    parse: (source, stats = newParseStats()) => parseUrlhausCsv(linesOf(textOf(source)), stats),
  },
  openphish: {
    engineName: 'OpenPhish',
    defaultResult: 'phishing',
    parse: (source, stats = newParseStats()) => parseOpenPhish(linesOf(textOf(source)), stats),
  },
  phishtank: {
    engineName: 'PhishTank',
    defaultResult: 'phishing',
    parse: parsePhishtank,
  },
  plain: {
    engineName: 'Local blocklist',
    defaultResult: 'malicious',
    parse: (source, stats = newParseStats()) => parsePlainList(linesOf(textOf(source)), stats),
  },
} as const satisfies Record<string, FeedFormat>;

export type FeedFormatName = keyof typeof feedFormats;

export const isFeedFormatName = (name: string): name is FeedFormatName => Object.hasOwn(feedFormats, name);

/** The format whose engine name this is (`URLhaus` -> urlhaus), for hints and default results. */
export const formatOfEngine = (engineName: string): FeedFormatName | undefined =>
  (Object.keys(feedFormats) as FeedFormatName[]).find((name) => feedFormats[name].engineName === engineName);

/** PhishTank publishes the same data as JSON and as CSV: the first character tells which this is. */
async function* parsePhishtank(source: AsyncIterable<string | Uint8Array>, stats: ParseStats = newParseStats()): AsyncGenerator<FeedRecord> {
  const text = textOf(source);
  const head: string[] = [];
  let first: string | undefined;
  // Pulled by hand: leaving a for-await early would close the generator and lose the rest.
  while (first === undefined) {
    const next = await text.next();
    if (next.done) break;
    head.push(next.value);
    first = next.value.trimStart()[0];
  }
  const replay = (async function* () {
    yield* head;
    yield* text;
  })();
  if (first === '[' || first === '{') yield* parsePhishtankJson(replay, stats);
  else yield* parsePhishtankCsv(linesOf(replay), stats);
}
