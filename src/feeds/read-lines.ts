/**
 * Feed files as text and as lines. Hand-written rather than node:readline: readline holds a whole
 * line in memory however long it is, and feed files are user input; here a line past the limit
 * is cut to MAX_LINE_CHARS + 1 characters (so parsers see it is too long) and the rest dropped.
 */
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_CHARS } from './feed-record.js';

/** UTF-8 text in pieces, from a Readable or any byte source; a leading BOM is dropped. */
export async function* textOf(source: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (first && text !== '') {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    if (text !== '') yield text;
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

/** Lines without their `\n` or `\r\n`; a line over `maxChars` comes cut to `maxChars + 1` characters. */
export async function* linesOf(text: AsyncIterable<string>, maxChars = MAX_LINE_CHARS): AsyncGenerator<string> {
  // Room for one character past the limit (the too-long marker) and a `\r` before the newline.
  const keep = maxChars + 2;
  let pending = '';
  let cut = false;
  const take = (s: string): void => {
    if (cut) return;
    if (pending.length + s.length > keep) {
      pending += s.slice(0, keep - pending.length);
      cut = true;
    } else pending += s;
  };
  const finish = (): string => {
    const line = cut ? pending : pending.replace(/\r$/, '');
    pending = '';
    cut = false;
    return line.length > maxChars + 1 ? line.slice(0, maxChars + 1) : line;
  };
  for await (const piece of text) {
    let start = 0;
    for (let nl = piece.indexOf('\n'); nl !== -1; nl = piece.indexOf('\n', start)) {
      take(piece.slice(start, Math.min(nl, start + keep)));
      yield finish();
      start = nl + 1;
    }
    take(piece.slice(start, start + keep));
  }
  if (pending !== '') yield finish();
}

/** Lines of a byte source: `linesOf(textOf(source))`. */
export const linesOfStream = (source: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> => linesOf(textOf(source));
