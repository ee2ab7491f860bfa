/**
 * PhishTank JSON (online-valid.json): one array of objects with `url`, `submission_time` and `target`.
 * The file runs to hundreds of MB, so it is never parsed whole: a scanner follows strings and nesting
 * across pieces of text and JSON.parse sees one element object at a time, each at most MAX_LINE_CHARS.
 * A stream of bare objects (one per line) reads too.
 */
import { MAX_LINE_CHARS, newParseStats, unixSecondsOf, urlRecord, type FeedRecord, type ParseStats } from './feed-record.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const STRING_STOP = /["\\]/g;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Text in pieces of any size: stream chunks, or lines with their newlines. */
export async function* parsePhishtankJson(text: AsyncIterable<string>, stats: ParseStats = newParseStats()): AsyncGenerator<FeedRecord> {
  /** Nesting depth at which the element objects sit: 1 inside the top array, 0 for bare objects; unknown before the first token. */
  let base: number | undefined;
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** Inside an element object: the text so far, or null once it passed the limit. */
  let captured: string | null | undefined;
  /** Inside an element that is not an object (counted malformed once). */
  let inOther = false;

  for await (const piece of text) {
    let captureFrom = 0;
    const elements: string[] = [];
    for (let i = 0; i < piece.length; i += 1) {
      const c = piece.charCodeAt(i);
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Jump to the next quote or backslash: string contents are most of the text.
        STRING_STOP.lastIndex = i;
        const stop = STRING_STOP.exec(piece);
        if (!stop) break;
        i = stop.index;
        if (piece.charCodeAt(i) === BACKSLASH) escaped = true;
        else inString = false;
        continue;
      }
      if (isSpace(c)) {
        // Bare objects are separated by newlines, so white space ends a stray value between them.
        if (base === 0 && depth === 0) inOther = false;
        continue;
      }
      if (base === undefined) {
        if (c === OPEN_BRACKET) base = 1;
        else if (c === OPEN_BRACE) base = 0;
        else {
          stats.malformed += 1;
          return;
        }
      }
      if (depth === base && captured === undefined && !inOther) {
        if (c === OPEN_BRACE) {
          captured = '';
          captureFrom = i;
        } else if (c !== COMMA && !(c === CLOSE_BRACKET && base === 1)) {
          inOther = true;
          stats.malformed += 1;
        }
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === base && captured !== undefined) {
          if (captured === null || captured.length + (i + 1 - captureFrom) > MAX_LINE_CHARS) stats.tooLong += 1;
          else elements.push(captured + piece.slice(captureFrom, i + 1));
          captured = undefined;
        }
        if (depth === base) inOther = false;
        if (depth < 0 || (base === 1 && depth === 0)) {
          // The top array closed (or a stray bracket): whatever follows is not part of the feed.
          for (const element of elements) yield* recordOf(element, stats);
          return;
        }
      } else if (c === COMMA && depth === base) inOther = false;
    }
    if (captured !== undefined && captured !== null) {
      captured = captured.length + (piece.length - captureFrom) > MAX_LINE_CHARS ? null : captured + piece.slice(captureFrom);
    }
    for (const element of elements) yield* recordOf(element, stats);
  }
  if (captured !== undefined) stats.malformed += 1;
}

function* recordOf(text: string, stats: ParseStats): Generator<FeedRecord> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    stats.malformed += 1;
    return;
  }
  const o = value as { url?: unknown; target?: unknown; submission_time?: unknown };
  const record =
    typeof o.url === 'string'
      ? urlRecord(o.url, typeof o.target === 'string' ? o.target : null, unixSecondsOf(typeof o.submission_time === 'string' ? o.submission_time : null))
      : undefined;
  if (!record) {
    stats.malformed += 1;
    return;
  }
  stats.records += 1;
  yield record;
}
