/**
 * PDF's LZWDecode (ISO 32000-1 §7.4.4): 9- to 12-bit codes, most significant bit first, 256 clears
 * the table, 257 ends the data, and EarlyChange (default 1) widens codes one entry early.
 * Hand-written: it is short, the npm LZW packages implement other variants (GIF, TIFF or string
 * codecs), and this one must stop at a code out of range and at an output bound.
 */

export interface LzwResult {
  data: Buffer;
  /** Why decoding stopped before the end-of-data code or the end of input, if it did. */
  error?: 'code_out_of_range' | 'output_limit';
}

const CLEAR = 256;
const EOD = 257;
const MAX_CODES = 4096;

export function lzwDecode(input: Uint8Array, maxOutput: number, earlyChange = 1): LzwResult {
  // Entry `code` is entry prefix[code] followed by byte suffix[code]; length[code] bytes in all.
  const prefix = new Int16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    length[i] = 1;
    first[i] = i;
  }
  let out = Buffer.allocUnsafe(Math.min(maxOutput, Math.max(1024, input.length * 4)));
  let outLen = 0;
  let next = 258;
  let codeLen = 9;
  let prev = -1;
  let bitBuf = 0;
  let bitCount = 0;
  let inPos = 0;

  const emit = (code: number): boolean => {
    const n = length[code]!;
    if (outLen + n > maxOutput) return false;
    if (outLen + n > out.length) {
      const bigger = Buffer.allocUnsafe(Math.min(maxOutput, Math.max(out.length * 2, outLen + n)));
      out.copy(bigger, 0, 0, outLen);
      out = bigger;
    }
    for (let i = outLen + n - 1, c = code; i >= outLen; i--, c = prefix[c]!) out[i] = suffix[c]!;
    outLen += n;
    return true;
  };
  const done = (error?: LzwResult['error']): LzwResult => ({ data: out.subarray(0, outLen), ...(error ? { error } : {}) });

  for (;;) {
    while (bitCount < codeLen && inPos < input.length) {
      bitBuf = ((bitBuf << 8) | input[inPos++]!) & 0xffffff;
      bitCount += 8;
    }
    if (bitCount < codeLen) return done();
    const code = (bitBuf >>> (bitCount - codeLen)) & ((1 << codeLen) - 1);
    bitCount -= codeLen;

    if (code === CLEAR) {
      next = 258;
      codeLen = 9;
      prev = -1;
      continue;
    }
    if (code === EOD) return done();
    if (prev === -1) {
      if (code > 255) return done('code_out_of_range');
      if (!emit(code)) return done('output_limit');
      prev = code;
      continue;
    }
    if (code > next || (code === next && next >= MAX_CODES)) return done('code_out_of_range');
    if (next < MAX_CODES) {
      // For code === next (the KwKwK case) the new entry is prev + prev's first byte, added before it is emitted.
      prefix[next] = prev;
      suffix[next] = code === next ? first[prev]! : first[code]!;
      length[next] = length[prev]! + 1;
      first[next] = first[prev]!;
      next++;
    }
    if (!emit(code)) return done('output_limit');
    prev = code;
    if (next + earlyChange >= 1 << codeLen && codeLen < 12) codeLen++;
  }
}
