/**
 * A PDF file as a set of indirect objects, found by scanning for `N G obj` rather than trusting the
 * cross-reference table, so incremental updates, broken or missing xrefs and objects the xref
 * hides are all seen. Streams are delimited by /Length (direct or indirect) when it checks out,
 * else by the next `endstream`; object streams are unpacked; the latest definition of a number wins.
 */
import { decodeStream, type DecodedStream } from './pdf-filters.js';
import { PdfLexer } from './pdf-lexer.js';
import type { Budget } from './pdf-limits.js';
import { PdfObjectParser } from './pdf-object-parser.js';
import { dictOf, nameOf, numberOf, PDF_NULL, type PdfDict, type PdfValue } from './pdf-values.js';

export interface PdfObject {
  num: number;
  gen: number;
  value: PdfValue;
  /** File offset of the object, or of the object stream that holds it. */
  offset: number;
  /** The object stream it was unpacked from. */
  inObjectStream?: number;
}

interface Header {
  num: number;
  gen: number;
  /** Offset of the object number, and of the first byte after `obj`. */
  offset: number;
  bodyStart: number;
}

const WS = '\\0\\t\\n\\f\\r ';
const DELIMITED = `(?![^${WS}()<>\\[\\]{}/%])`;
const OBJ_RE = new RegExp(`(?<![0-9])(\\d{1,10})[${WS}]+(\\d{1,5})[${WS}]+obj${DELIMITED}`, 'g');
const ENDSTREAM_RE = /endstream/g;
const TRAILER_RE = new RegExp(`trailer${DELIMITED}`, 'g');
/** Trailers parsed: incremental updates add one each; more than this is noise. */
const MAX_TRAILERS = 10_000;

export class PdfDocument {
  /** `%PDF-x.y` from the first 1024 bytes, as VirusTotal shows it. */
  readonly header: string | undefined;
  /** The latest definition of each object number. */
  readonly objects = new Map<number, PdfObject>();
  /** Every definition parsed, older incremental versions included. */
  readonly versions: PdfObject[] = [];
  /** Trailer dictionaries and cross-reference stream dictionaries, in file order. */
  readonly trailers: PdfDict[] = [];
  /** Decoded object streams (their keywords count too). */
  readonly objectStreamData: Buffer[] = [];
  /** Irregularities worth reporting (reference cycles, streams without /Length or endstream...). */
  readonly notes = new Set<string>();
  encrypted = false;

  private readonly headersByNum = new Map<number, number[]>();
  private readonly endstreams: number[] = [];
  private readonly decodedCache = new Map<PdfValue, DecodedStream>();
  private readonly trailerOffsets: Array<{ offset: number; dict: PdfDict }> = [];

  private constructor(
    readonly buf: Buffer,
    readonly budget: Budget,
  ) {
    const head = buf.toString('latin1', 0, Math.min(buf.length, 1024));
    const m = /%PDF-[^\0\t\n\f\r %]{0,8}/.exec(head);
    this.header = m?.[0];
  }

  static parse(buf: Buffer, budget: Budget): PdfDocument {
    const doc = new PdfDocument(buf, budget);
    doc.scan();
    return doc;
  }

  /** Follows references to a direct value; undefined for a missing object, a cycle or too long a chain. */
  resolve(value: PdfValue | undefined): PdfValue | undefined {
    let v = value;
    let seen: Set<number> | undefined;
    while (v?.kind === 'ref') {
      seen ??= new Set();
      if (seen.has(v.num)) {
        this.notes.add('reference cycle');
        return undefined;
      }
      if (seen.size >= this.budget.limits.maxRefDepth) {
        this.budget.hit.add('ref_depth');
        return undefined;
      }
      seen.add(v.num);
      v = this.objects.get(v.num)?.value;
    }
    return v;
  }

  /** A stream's decoded bytes (computed once). Streams of an encrypted file other than xref streams are not decrypted. */
  decoded(stream: Extract<PdfValue, { kind: 'stream' }>): DecodedStream {
    let result = this.decodedCache.get(stream);
    if (!result) {
      result =
        this.encrypted && nameOf(stream.entries.get('Type')) !== 'XRef'
          ? { data: Buffer.alloc(0), complete: false, problem: 'encrypted' }
          : decodeStream(stream.entries, stream.raw, (v) => this.resolve(v), this.budget);
      this.decodedCache.set(stream, result);
    }
    return result;
  }

  private scan(): void {
    const text = this.buf.toString('latin1');
    const headers = this.findHeaders(text);
    for (const m of text.matchAll(ENDSTREAM_RE)) {
      if (this.endstreams.length >= this.budget.limits.maxObjects * 2) break;
      this.endstreams.push(m.index);
    }
    for (const m of text.matchAll(TRAILER_RE)) {
      if (this.trailerOffsets.length >= MAX_TRAILERS) break;
      const dict = dictOf(new PdfObjectParser(new PdfLexer(this.buf, m.index + 7), this.budget).value());
      if (dict) this.trailerOffsets.push({ offset: m.index, dict });
    }

    // Only stream data hides object headers: an `N G obj` inside a stream is content, not an object.
    let streamEnd = 0;
    for (const h of headers) {
      if (this.budget.outOfTime()) break;
      if (h.offset < streamEnd) continue;
      if (this.versions.length >= this.budget.limits.maxObjects) {
        this.budget.hit.add('objects');
        break;
      }
      const { object, dataEnd } = this.parseIndirect(h);
      if (dataEnd !== undefined) streamEnd = dataEnd;
      this.define(object);
      if (object.value.kind === 'stream' && nameOf(object.value.entries.get('Type')) === 'XRef') {
        this.trailerOffsets.push({ offset: h.offset, dict: object.value.entries });
      }
    }
    this.trailerOffsets.sort((a, b) => a.offset - b.offset);
    for (const t of this.trailerOffsets) this.trailers.push(t.dict);
    this.encrypted = this.trailers.some((t) => t.has('Encrypt') && this.resolve(t.get('Encrypt'))?.kind !== 'null');

    let unpacked = 0;
    for (const object of [...this.versions]) {
      if (this.budget.outOfTime()) break;
      const value = object.value;
      if (value.kind !== 'stream' || object.inObjectStream !== undefined || nameOf(value.entries.get('Type')) !== 'ObjStm') continue;
      if (++unpacked > this.budget.limits.maxObjectStreams) {
        this.budget.hit.add('object_streams');
        break;
      }
      this.unpackObjectStream(object, value);
    }
  }

  private findHeaders(text: string): Header[] {
    const headers: Header[] = [];
    for (const m of text.matchAll(OBJ_RE)) {
      if (headers.length >= this.budget.limits.maxObjects * 2) {
        this.budget.hit.add('objects');
        break;
      }
      const h = { num: Number(m[1]), gen: Number(m[2]), offset: m.index, bodyStart: m.index + m[0].length };
      headers.push(h);
      let list = this.headersByNum.get(h.num);
      if (!list) this.headersByNum.set(h.num, (list = []));
      list.push(h.bodyStart);
    }
    return headers;
  }

  private define(object: PdfObject): void {
    this.versions.push(object);
    const existing = this.objects.get(object.num);
    if (!existing || existing.offset <= object.offset) this.objects.set(object.num, object);
  }

  private parseIndirect(h: Header): { object: PdfObject; dataEnd?: number } {
    const lex = new PdfLexer(this.buf, h.bodyStart);
    const parser = new PdfObjectParser(lex, this.budget);
    const value = parser.value() ?? PDF_NULL;
    const object: PdfObject = { num: h.num, gen: h.gen, value, offset: h.offset };
    const save = lex.pos;
    const tok = lex.next();
    if (tok.t !== 'kw' || tok.v !== 'stream' || value.kind !== 'dict') {
      lex.pos = save;
      return { object };
    }
    const { raw, dataEnd } = this.streamData(lex.pos, value.entries);
    object.value = { kind: 'stream', entries: value.entries, raw, num: h.num };
    return { object, dataEnd };
  }

  /** The bytes of a stream whose `stream` keyword ends at `afterKeyword`. */
  private streamData(afterKeyword: number, entries: PdfDict): { raw: Buffer; dataEnd: number } {
    const { buf } = this;
    let start = afterKeyword;
    while (buf[start] === 0x20) start++;
    if (buf[start] === 0x0d) start++;
    if (buf[start] === 0x0a) start++;

    const length = this.streamLength(entries.get('Length'));
    if (length !== undefined && start + length <= buf.length) {
      let p = start + length;
      while (p < buf.length && (buf[p] === 0x20 || buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x09 || buf[p] === 0x0c || buf[p] === 0)) p++;
      if (buf.toString('latin1', p, p + 9) === 'endstream') return { raw: buf.subarray(start, start + length), dataEnd: start + length };
    }
    this.notes.add('stream /Length missing or wrong');
    const e = this.nextEndstream(start);
    if (e === undefined) {
      this.notes.add('stream without endstream');
      return { raw: buf.subarray(start), dataEnd: buf.length };
    }
    let end = e;
    if (end > start && buf[end - 1] === 0x0a) end--;
    if (end > start && buf[end - 1] === 0x0d) end--;
    return { raw: buf.subarray(start, end), dataEnd: e };
  }

  /** /Length as a number, or through one reference to an object holding a number. */
  private streamLength(value: PdfValue | undefined): number | undefined {
    let n = numberOf(value);
    if (value?.kind === 'ref') {
      for (const bodyStart of [...(this.headersByNum.get(value.num) ?? [])].reverse()) {
        const v = new PdfObjectParser(new PdfLexer(this.buf, bodyStart), this.budget).value();
        if (v?.kind === 'num') {
          n = v.value;
          break;
        }
      }
    }
    return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }

  private nextEndstream(from: number): number | undefined {
    const list = this.endstreams;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    return list[lo];
  }

  private unpackObjectStream(container: PdfObject, stream: Extract<PdfValue, { kind: 'stream' }>): void {
    const decoded = this.decoded(stream);
    const data = decoded.data;
    if (data.length === 0) return;
    this.objectStreamData.push(data);
    const n = numberOf(this.resolve(stream.entries.get('N')));
    const first = numberOf(this.resolve(stream.entries.get('First')));
    if (n === undefined || first === undefined || !Number.isInteger(n) || !Number.isInteger(first) || n < 0 || first < 0) {
      this.notes.add('object stream without valid /N and /First');
      return;
    }
    const index = new PdfLexer(data, 0, Math.min(first, data.length));
    const members: Array<[number, number]> = [];
    for (let i = 0; i < n && members.length < this.budget.limits.maxObjects; i++) {
      const num = index.next();
      const off = index.next();
      if (num.t !== 'num' || off.t !== 'num' || !num.int || !off.int || num.v < 0 || off.v < 0) break;
      members.push([num.v, off.v]);
    }
    for (const [num, off] of members) {
      if (this.budget.outOfTime()) return;
      if (this.versions.length >= this.budget.limits.maxObjects) {
        this.budget.hit.add('objects');
        return;
      }
      if (num === container.num) {
        this.notes.add('object stream lists itself');
        continue;
      }
      if (first + off >= data.length) continue;
      // Objects in an object stream have no stream data of their own; the parser never reads any here.
      const value = new PdfObjectParser(new PdfLexer(data, first + off), this.budget).value() ?? PDF_NULL;
      this.define({ num, gen: 0, value, offset: container.offset, inObjectStream: container.num });
    }
  }
}
