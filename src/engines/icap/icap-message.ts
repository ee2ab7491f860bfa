/** ICAP message heads (RFC 3507): status line, headers with folded lines, and the Encapsulated header. */
import { IcapProtocolError } from './icap-reader.js';

/** Headers of one head; more are refused (a server has no reason to send dozens). */
export const MAX_HEADERS = 100;

export interface IcapHead {
  status: number;
  reason: string;
  /** Lower-case name → values in order; a folded header keeps its lines joined by `\n`. */
  headers: Map<string, string[]>;
}

export interface EncapsulatedPart {
  /** `req-hdr`, `res-hdr`, `req-body`, `res-body`, `opt-body` or `null-body`. */
  name: string;
  offset: number;
}

/** Parses `ICAP/1.0 200 OK\r\nName: value\r\n\tcontinued\r\n\r\n` (latin1). */
export function parseIcapHead(text: string): IcapHead {
  const lines = text.replace(/\r\n\r\n$/, '').split('\r\n');
  const statusLine = lines.shift() ?? '';
  const match = /^ICAP\/1\.0 ([1-5]\d\d)(?: (.*))?$/.exec(statusLine);
  if (!match) throw new IcapProtocolError(`bad ICAP status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  return { status: Number(match[1]), reason: match[2] ?? '', headers: parseHeaderLines(lines) };
}

/** The status code of an encapsulated HTTP response head (`HTTP/1.1 403 Forbidden`). */
export function parseHttpStatus(text: string): number {
  const match = /^HTTP\/\d\.\d (\d{3})\b/.exec(text);
  if (!match) throw new IcapProtocolError(`bad encapsulated HTTP status line ${JSON.stringify(text.split('\r\n')[0]!.slice(0, 80))}`);
  return Number(match[1]);
}

function parseHeaderLines(lines: string[]): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: { values: string[]; index: number } | undefined;
  let count = 0;
  for (const line of lines) {
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // A folded line continues the header above it; X-Violations-Found relies on it for its records.
      if (!last) throw new IcapProtocolError('a folded header line with no header before it');
      last.values[last.index] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) {
      throw new IcapProtocolError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
    }
    if (++count > MAX_HEADERS) throw new IcapProtocolError(`more than ${MAX_HEADERS} headers`);
    const name = line.slice(0, colon).toLowerCase();
    const values = headers.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(name, values);
    last = { values, index: values.length - 1 };
  }
  return headers;
}

/** The first value of a header, or undefined. */
export function header(head: IcapHead, name: string): string | undefined {
  return head.headers.get(name.toLowerCase())?.[0];
}

const PART_NAMES = new Set(['req-hdr', 'res-hdr', 'req-body', 'res-body', 'opt-body', 'null-body']);

/** `req-hdr=0, res-hdr=120, res-body=300`: offsets must rise, and only the last part may be a body. */
export function parseEncapsulated(value: string, maxOffset: number): EncapsulatedPart[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length > 4) throw new IcapProtocolError(`Encapsulated has ${parts.length} parts`);
  const out: EncapsulatedPart[] = [];
  for (const part of parts) {
    const match = /^([a-z]+-[a-z]+)=(\d{1,9})$/.exec(part);
    if (!match || !PART_NAMES.has(match[1]!)) throw new IcapProtocolError(`bad Encapsulated part ${JSON.stringify(part.slice(0, 40))}`);
    const offset = Number(match[2]);
    const previous = out[out.length - 1];
    if (offset > maxOffset) throw new IcapProtocolError(`Encapsulated offset ${offset} is past ${maxOffset}`);
    if (previous && offset < previous.offset) throw new IcapProtocolError('Encapsulated offsets go backwards');
    if (previous?.name.endsWith('-body')) throw new IcapProtocolError('Encapsulated names a part after the body');
    out.push({ name: match[1]!, offset });
  }
  if (out.length === 0 || out[0]!.offset !== 0) throw new IcapProtocolError('Encapsulated does not start at offset 0');
  if (!out[out.length - 1]!.name.endsWith('-body')) throw new IcapProtocolError('Encapsulated does not end with a body part');
  return out;
}
