/**
 * One ExifTool read for the `exiftool` attribute: `-json` output parsed so numbers keep ExifTool's
 * text. exiftool-vendored's readRaw parses with JSON.parse, which turns ExifTool's `4.0` or `14.10`
 * into 4 and 14.1, where VT shows "4.0" and "14.10" (LinkerVersion, OSVersion...).
 */
import path from 'node:path';
import { ExifToolTask } from 'exiftool-vendored';

/** `"Tag": <bare number>,` as ExifTool writes one flat tag per line (strings are always quoted). */
const BARE_NUMBER_LINE = /^(\s*"(?:[^"\\]|\\.)*": )(-?[0-9][0-9.eE+-]*)(,?)$/gm;

/** Quotes ExifTool's unquoted numbers so JSON.parse keeps their text. */
export function parseExiftoolJson(text: string): Record<string, unknown> {
  const quoted = text.replace(BARE_NUMBER_LINE, (_m, head: string, num: string, comma: string) => `${head}"${num}"${comma}`);
  const parsed = JSON.parse(quoted) as unknown;
  const first = Array.isArray(parsed) ? (parsed[0] as unknown) : undefined;
  if (first === null || typeof first !== 'object') throw new Error('exiftool printed no object');
  return first as Record<string, unknown>;
}

export class VtReadTask extends ExifToolTask<Record<string, unknown>> {
  constructor(file: string) {
    // `-api LargeFileSupport` lets ExifTool read offsets past 2 GiB instead of stopping with an error;
    // no -fast, so trailers and footers are read as VT's ExifTool does.
    super(['-charset', 'filename=utf8', '-json', '-api', 'LargeFileSupport=1', path.resolve(file)], { ignoreMinorErrors: true });
  }

  protected parse(data: string, error?: Error): Record<string, unknown> {
    try {
      return parseExiftoolJson(data);
    } catch (parseError) {
      throw error ?? parseError;
    }
  }
}
