/**
 * A minimal DER reader for the Authenticode PKCS#7 structure. Hand-written because pkijs/asn1js
 * are not dependencies of this project and Node's crypto parses certificates but not CMS; the
 * reader takes definite lengths only (DER), bounds nesting depth and never reads past its buffer.
 */

export interface Der {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Where the whole element (header included) starts and ends in the buffer. */
  start: number;
  end: number;
  /** Where its contents start. */
  valueStart: number;
  buf: Buffer;
}

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

const MAX_CHILDREN = 4096;

export function readDer(buf: Buffer, at = 0, limit = buf.length): Der {
  if (at + 2 > limit) throw new DerError('truncated DER header');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not used by Authenticode');
  let length = buf[at + 1]!;
  let valueStart = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0) throw new DerError('indefinite length is not DER');
    if (bytes > 4 || valueStart + bytes > limit) throw new DerError('bad DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[valueStart + i]!;
    valueStart += bytes;
  }
  const end = valueStart + length;
  if (end > limit) throw new DerError('DER element runs past its container');
  return { tag, start: at, end, valueStart, buf };
}

export function children(el: Der): Der[] {
  const out: Der[] = [];
  for (let at = el.valueStart; at < el.end; ) {
    if (out.length >= MAX_CHILDREN) throw new DerError('too many DER elements');
    const child = readDer(el.buf, at, el.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function value(el: Der): Buffer {
  return el.buf.subarray(el.valueStart, el.end);
}

export function whole(el: Der): Buffer {
  return el.buf.subarray(el.start, el.end);
}

export function expectTag(el: Der | undefined, tag: number, what: string): Der {
  if (!el || el.tag !== tag) throw new DerError(`expected ${what}`);
  return el;
}

export function oid(el: Der): string {
  const bytes = value(expectTag(el, 0x06, 'an OBJECT IDENTIFIER'));
  if (bytes.length === 0 || bytes.length > 64) throw new DerError('bad OBJECT IDENTIFIER');
  const parts: number[] = [];
  let n = 0;
  for (const b of bytes) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime or GeneralizedTime as a Date (undefined when malformed). */
export function time(el: Der): Date | undefined {
  const text = value(el).toString('latin1');
  const m = el.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(text);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (el.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}
