/** Bounded reads of a file's head and its printable strings (ASCII and UTF-16LE), for string signals. */
import { open } from 'node:fs/promises';

/** Engines read at most this much of a file: malware's tell-tale strings sit in its code and data, not in a huge tail. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

export async function readHead(path: string, maxBytes = MAX_TEXT_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

const MIN_RUN = 5;

/**
 * The printable runs (>= 5 chars) of `bytes`, ASCII and UTF-16LE, joined by newlines: one string the
 * signal patterns search. Scans each byte a constant number of times, so any input costs linear time.
 */
export function printableText(bytes: Buffer): string {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? bytes[i]! : 0;
    const printable = (b >= 0x20 && b < 0x7f) || b === 0x09;
    if (printable) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= MIN_RUN) out.push(bytes.toString('latin1', start, i));
      start = -1;
    }
  }
  // UTF-16LE: a printable byte followed by 0x00, repeated.
  let run: number[] = [];
  const flush = () => {
    if (run.length >= MIN_RUN) out.push(String.fromCharCode(...run));
    run = [];
  };
  for (let i = 0; i + 1 < bytes.length; i += 1) {
    const b = bytes[i]!;
    if (bytes[i + 1] === 0 && ((b >= 0x20 && b < 0x7f) || b === 0x09)) {
      run.push(b);
      if (run.length >= 4096) flush();
      i += 1;
    } else if (run.length > 0) {
      flush();
    }
  }
  flush();
  return out.join('\n');
}

/** Hits of `patterns` in `text`: every pattern is tested once (no global flag, so no state between calls). */
export function matching<T>(text: string, patterns: ReadonlyArray<{ pattern: RegExp; value: T }>): Array<{ value: T; match: string }> {
  const found: Array<{ value: T; match: string }> = [];
  for (const { pattern, value } of patterns) {
    const m = pattern.exec(text);
    if (m) found.push({ value, match: m[0].slice(0, 120) });
  }
  return found;
}
