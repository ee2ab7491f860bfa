/**
 * Stream decoding (ISO 32000-1 §7.4): a filter chain of FlateDecode, LZWDecode (both with
 * predictors), ASCIIHexDecode, ASCII85Decode and RunLengthDecode, each bounded by the bytes the
 * budget still allows; image codecs (DCT, JPX, JBIG2, CCITT) stop the chain, being of no use here.
 */
import { constants, inflateRawSync, inflateSync } from 'node:zlib';
import type { Budget } from './pdf-limits.js';
import { lzwDecode } from './lzw-decode.js';
import { PredictorError, unpredict } from './pdf-predictors.js';
import { dictOf, nameOf, numberOf, type PdfDict, type PdfValue } from './pdf-values.js';

export interface DecodedStream {
  data: Buffer;
  /** True when every filter ran to the end of its data. */
  complete: boolean;
  /** Why it is not complete: a bound, a decoding error, or a filter not decoded here. */
  problem?: string;
}

type Resolve = (value: PdfValue | undefined) => PdfValue | undefined;

const ALIASES: Record<string, string> = { Fl: 'FlateDecode', LZW: 'LZWDecode', AHx: 'ASCIIHexDecode', A85: 'ASCII85Decode', RL: 'RunLengthDecode' };

class LimitError extends Error {}

export function decodeStream(entries: PdfDict, raw: Buffer, resolve: Resolve, budget: Budget): DecodedStream {
  const filterValue = resolve(entries.get('Filter'));
  const parmsValue = resolve(entries.get('DecodeParms'));
  const filters =
    filterValue === undefined || filterValue.kind === 'null' ? [] : filterValue.kind === 'array' ? filterValue.items.map((f) => nameOf(resolve(f))) : [nameOf(filterValue)];
  const parms = parmsValue?.kind === 'array' ? parmsValue.items.map((p) => dictOf(resolve(p))) : [dictOf(parmsValue)];
  if (filters.length > budget.limits.maxFilters) {
    budget.hit.add('filters');
    return { data: raw, complete: false, problem: `${filters.length} filters in one chain` };
  }
  let data = raw;
  for (let i = 0; i < filters.length; i++) {
    const name = filters[i];
    const filter = name === undefined ? undefined : (ALIASES[name] ?? name);
    const allowance = budget.decodeAllowance();
    try {
      switch (filter) {
        case 'FlateDecode':
          data = predict(inflate(data, allowance), parms[i], resolve);
          break;
        case 'LZWDecode': {
          const early = numberOf(resolve(parms[i]?.get('EarlyChange'))) ?? 1;
          const out = lzwDecode(data, allowance, early === 0 ? 0 : 1);
          if (out.error === 'output_limit') throw new LimitError();
          data = predict(out.data, parms[i], resolve);
          if (out.error) {
            budget.spendDecoded(data.length);
            return { data, complete: false, problem: `LZWDecode: ${out.error.replaceAll('_', ' ')}` };
          }
          break;
        }
        case 'ASCIIHexDecode':
          data = asciiHex(data);
          break;
        case 'ASCII85Decode':
          data = ascii85(data, allowance);
          break;
        case 'RunLengthDecode':
          data = runLength(data, allowance);
          break;
        default:
          return { data, complete: false, problem: `filter ${filter ?? '(not a name)'} not decoded` };
      }
    } catch (err) {
      if (err instanceof LimitError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        budget.hit.add(allowance < budget.limits.maxStreamDecodedBytes ? 'total_decoded_bytes' : 'stream_decoded_bytes');
        return { data: Buffer.alloc(0), complete: false, problem: `${filter}: more than ${allowance} bytes decoded` };
      }
      const why = err instanceof PredictorError ? err.message : (err as Error).message;
      return { data: Buffer.alloc(0), complete: false, problem: `${filter}: ${why}` };
    }
    budget.spendDecoded(data.length);
  }
  return { data, complete: true };
}

/** zlib with a sync flush, so a truncated stream gives what it holds; raw deflate when the zlib header is missing. */
function inflate(data: Buffer, allowance: number): Buffer {
  if (allowance <= 0) throw new LimitError();
  const options = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: allowance };
  try {
    return inflateSync(data, options);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw err;
    return inflateRawSync(data, options);
  }
}

function predict(data: Buffer, parms: PdfDict | undefined, resolve: Resolve): Buffer {
  if (!parms) return data;
  const get = (key: string, fallback: number) => numberOf(resolve(parms.get(key))) ?? fallback;
  const predictor = get('Predictor', 1);
  if (predictor === 1) return data;
  return unpredict(data, { predictor, colors: get('Colors', 1), bitsPerComponent: get('BitsPerComponent', 8), columns: get('Columns', 1) });
}

function asciiHex(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil(data.length / 2));
  let n = 0;
  let high = -1;
  for (const c of data) {
    if (c === 0x3e) break; // `>` ends the data
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (v < 0) {
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0) continue;
      throw new Error(`byte 0x${c.toString(16)} is not a hex digit`);
    }
    if (high < 0) high = v;
    else {
      out[n++] = high * 16 + v;
      high = -1;
    }
  }
  if (high >= 0) out[n++] = high * 16;
  return out.subarray(0, n);
}

function ascii85(data: Buffer, allowance: number): Buffer {
  let start = 0;
  while (start < data.length && isSpace(data[start]!)) start++;
  if (data[start] === 0x3c && data[start + 1] === 0x7e) start += 2; // optional `<~`
  const out = Buffer.allocUnsafe(Math.min(allowance, data.length * 4 + 4));
  let n = 0;
  const group: number[] = [];
  const flush = (count: number) => {
    let v = 0;
    for (let i = 0; i < 5; i++) v = v * 85 + (i < group.length ? group[i]! : 84);
    if (v > 0xffffffff) throw new Error('ASCII85 group out of range');
    if (n + count > out.length) throw new LimitError();
    for (let i = 0; i < count; i++) out[n++] = (v >>> (24 - 8 * i)) & 0xff;
    group.length = 0;
  };
  for (let i = start; i < data.length; i++) {
    const c = data[i]!;
    if (isSpace(c)) continue;
    if (c === 0x7e) break; // `~>`
    if (c === 0x7a && group.length === 0) {
      if (n + 4 > out.length) throw new LimitError();
      out.fill(0, n, n + 4);
      n += 4;
      continue;
    }
    if (c < 0x21 || c > 0x75) throw new Error(`byte 0x${c.toString(16)} is not ASCII85`);
    group.push(c - 0x21);
    if (group.length === 5) flush(4);
  }
  if (group.length === 1) throw new Error('ASCII85 data ends with a lone character');
  if (group.length > 1) flush(group.length - 1);
  return out.subarray(0, n);
}

function runLength(data: Buffer, allowance: number): Buffer {
  let out = Buffer.allocUnsafe(Math.min(allowance, Math.max(256, data.length * 2)));
  let n = 0;
  const room = (k: number) => {
    if (n + k > allowance) throw new LimitError();
    if (n + k > out.length) {
      const bigger = Buffer.allocUnsafe(Math.min(allowance, Math.max(out.length * 2, n + k)));
      out.copy(bigger, 0, 0, n);
      out = bigger;
    }
  };
  let i = 0;
  while (i < data.length) {
    const len = data[i++]!;
    if (len === 128) break;
    if (len < 128) {
      const count = Math.min(len + 1, data.length - i);
      room(count);
      data.copy(out, n, i, i + count);
      n += count;
      i += count;
    } else {
      if (i >= data.length) break;
      const count = 257 - len;
      room(count);
      out.fill(data[i++]!, n, n + count);
      n += count;
    }
  }
  return out.subarray(0, n);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}
