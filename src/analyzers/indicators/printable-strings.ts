/** Printable strings of a byte buffer, ASCII and UTF-16LE, like `strings -n N` and `strings -el -n N`. */
// A byte loop rather than a regex over a latin1 copy of the file: one pass, no copy, bounded output.

export interface StringLimits {
  minLength: number;
  /** Longest single string kept (longer runs are cut into pieces). */
  maxLength: number;
  /** Total characters returned. */
  maxTotalChars: number;
}

export const DEFAULT_STRING_LIMITS: StringLimits = { minLength: 6, maxLength: 4096, maxTotalChars: 16 * 1024 * 1024 };

const isPrintable = (b: number) => (b >= 0x20 && b < 0x7f) || b === 0x09;

export function printableStrings(buf: Buffer, limits: StringLimits = DEFAULT_STRING_LIMITS): string[] {
  const out: string[] = [];
  let total = 0;
  const push = (s: string) => {
    if (total >= limits.maxTotalChars) return;
    out.push(s);
    total += s.length;
  };
  // ASCII runs.
  let start = -1;
  for (let i = 0; i <= buf.length; i++) {
    const ok = i < buf.length && isPrintable(buf[i]!);
    if (ok && start < 0) start = i;
    if ((!ok || i - start >= limits.maxLength) && start >= 0) {
      if (i - start >= limits.minLength) push(buf.toString('latin1', start, i));
      start = ok ? i : -1;
    }
  }
  // UTF-16LE runs (printable ASCII byte, then zero), at both alignments.
  for (const align of [0, 1]) {
    let runStart = -1;
    for (let i = align; i + 1 <= buf.length; i += 2) {
      const ok = i + 1 < buf.length && isPrintable(buf[i]!) && buf[i + 1] === 0;
      if (ok && runStart < 0) runStart = i;
      if ((!ok || (i - runStart) / 2 >= limits.maxLength) && runStart >= 0) {
        if ((i - runStart) / 2 >= limits.minLength) push(buf.toString('utf16le', runStart, i));
        runStart = ok ? i : -1;
      }
    }
  }
  return out;
}
