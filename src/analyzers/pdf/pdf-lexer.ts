/**
 * PDF's lexical syntax (ISO 32000-1 §7.2, §7.3): whitespace and comments, numbers, names with
 * `#xx` escapes, literal strings with escapes and nested parentheses, hex strings, delimiters and
 * bare keywords. Works on a Buffer from a position, never reads past its end, and always advances.
 */

export type Token =
  | { t: 'num'; v: number; int: boolean }
  | { t: 'name'; v: string; escaped: boolean }
  | { t: 'str'; v: Buffer }
  | { t: 'punct'; v: '[' | ']' | '<<' | '>>' | '{' | '}' }
  /** obj, endobj, stream, R, true, false, null, or any other run of regular characters. */
  | { t: 'kw'; v: string }
  | { t: 'eof' };

const enum Ch {
  LF = 0x0a,
  CR = 0x0d,
  Percent = 0x25,
  LParen = 0x28,
  RParen = 0x29,
  Slash = 0x2f,
  Less = 0x3c,
  Greater = 0x3e,
  LBracket = 0x5b,
  Backslash = 0x5c,
  RBracket = 0x5d,
  LBrace = 0x7b,
  RBrace = 0x7d,
  Hash = 0x23,
}

/** 1: whitespace, 2: delimiter, 0: regular. */
const CLASS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) CLASS[c] = 1;
for (const c of '()<>[]{}/%') CLASS[c.charCodeAt(0)] = 2;

export const isWhitespace = (c: number): boolean => CLASS[c] === 1;
export const isRegular = (c: number): boolean => CLASS[c] === 0;

export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** A growable byte buffer for decoded strings, whose length is unknown until their end. */
export class ByteSink {
  private buf: Buffer;
  length = 0;
  constructor(initial = 64) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  push(byte: number): void {
    if (this.length === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.buf[this.length++] = byte;
  }
  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

export class PdfLexer {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    /** Stop at this offset as if the data ended there (an object stream member, a bounded region). */
    readonly end = buf.length,
  ) {}

  /** Skips whitespace and comments. */
  skipSpace(): void {
    const { buf, end } = this;
    let p = this.pos;
    while (p < end) {
      const c = buf[p]!;
      if (CLASS[c] === 1) p++;
      else if (c === Ch.Percent) {
        while (p < end && buf[p] !== Ch.LF && buf[p] !== Ch.CR) p++;
      } else break;
    }
    this.pos = p;
  }

  next(): Token {
    this.skipSpace();
    const { buf, end } = this;
    if (this.pos >= end) return { t: 'eof' };
    const c = buf[this.pos]!;
    switch (c) {
      case Ch.Slash:
        return this.name();
      case Ch.LParen:
        return { t: 'str', v: this.literalString() };
      case Ch.Less:
        if (buf[this.pos + 1] === Ch.Less && this.pos + 1 < end) {
          this.pos += 2;
          return { t: 'punct', v: '<<' };
        }
        return { t: 'str', v: this.hexString() };
      case Ch.Greater:
        this.pos += buf[this.pos + 1] === Ch.Greater && this.pos + 1 < end ? 2 : 1;
        return { t: 'punct', v: '>>' };
      case Ch.LBracket:
        this.pos++;
        return { t: 'punct', v: '[' };
      case Ch.RBracket:
        this.pos++;
        return { t: 'punct', v: ']' };
      case Ch.LBrace:
        this.pos++;
        return { t: 'punct', v: '{' };
      case Ch.RBrace:
        this.pos++;
        return { t: 'punct', v: '}' };
      case Ch.RParen:
        // A stray `)`: a keyword of its own, so the parser can skip it.
        this.pos++;
        return { t: 'kw', v: ')' };
    }
    const start = this.pos;
    let p = start;
    while (p < end && CLASS[buf[p]!] === 0) p++;
    this.pos = p;
    const word = buf.toString('latin1', start, p);
    if (word.length <= 32 && NUMBER_RE.test(word)) {
      const v = Number(word);
      return { t: 'num', v: Number.isFinite(v) ? v : 0, int: !word.includes('.') };
    }
    return { t: 'kw', v: word };
  }

  private name(): Token {
    const { buf, end } = this;
    let p = this.pos + 1;
    // Most names have no `#` escape: read them straight from the buffer.
    let q = p;
    while (q < end && CLASS[buf[q]!] === 0 && buf[q] !== Ch.Hash) q++;
    if (q >= end || CLASS[buf[q]!] !== 0) {
      this.pos = q;
      return { t: 'name', v: buf.toString('latin1', p, q), escaped: false };
    }
    let escaped = false;
    const out = new ByteSink(16);
    while (p < end && CLASS[buf[p]!] === 0) {
      const c = buf[p]!;
      if (c === Ch.Hash && p + 2 < end) {
        const hi = hexValue(buf[p + 1]!);
        const lo = hexValue(buf[p + 2]!);
        if (hi >= 0 && lo >= 0) {
          out.push(hi * 16 + lo);
          escaped = true;
          p += 3;
          continue;
        }
      }
      out.push(c);
      p++;
    }
    this.pos = p;
    return { t: 'name', v: out.bytes().toString('latin1'), escaped };
  }

  /** From `(` to its balancing `)`, or to the end when unbalanced. */
  private literalString(): Buffer {
    const { buf, end } = this;
    let p = this.pos + 1;
    let depth = 1;
    const out = new ByteSink();
    while (p < end) {
      const c = buf[p++]!;
      if (c === Ch.Backslash) {
        if (p >= end) break;
        const e = buf[p++]!;
        switch (e) {
          case 0x6e: out.push(0x0a); break; // \n
          case 0x72: out.push(0x0d); break; // \r
          case 0x74: out.push(0x09); break; // \t
          case 0x62: out.push(0x08); break; // \b
          case 0x66: out.push(0x0c); break; // \f
          case Ch.CR:
            if (buf[p] === Ch.LF && p < end) p++; // line continuation
            break;
          case Ch.LF:
            break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let i = 0; i < 2 && p < end && buf[p]! >= 0x30 && buf[p]! <= 0x37; i++) v = v * 8 + (buf[p++]! - 0x30);
              out.push(v & 0xff);
            } else out.push(e); // \( \) \\ and unknown escapes: the character itself
        }
      } else if (c === Ch.LParen) {
        depth++;
        out.push(c);
      } else if (c === Ch.RParen) {
        if (--depth === 0) break;
        out.push(c);
      } else out.push(c);
    }
    this.pos = p;
    return out.bytes();
  }

  /** `<` hex digits and whitespace `>`; an odd last digit is followed by an implied 0. */
  private hexString(): Buffer {
    const { buf, end } = this;
    let p = this.pos + 1;
    const out = new ByteSink();
    let high = -1;
    while (p < end) {
      const c = buf[p++]!;
      if (c === Ch.Greater) break;
      const v = hexValue(c);
      if (v < 0) continue; // whitespace, or junk a lenient reader skips
      if (high < 0) high = v;
      else {
        out.push(high * 16 + v);
        high = -1;
      }
    }
    if (high >= 0) out.push(high * 16);
    this.pos = p;
    return out.bytes();
  }
}
