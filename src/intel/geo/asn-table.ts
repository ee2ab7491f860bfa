/**
 * IP-to-ASN table from ip-location-db's numeric CSVs (`start,end,asn,"org"`, ranges sorted by
 * start), held in typed arrays and searched by binary search.
 *
 * Hand-written rather than a CSV library plus objects: 500k rows as objects cost ~10x the memory
 * of typed arrays, and the format is fixed (three numeric columns, then one optionally quoted field).
 */
import { readFile } from 'node:fs/promises';
import ipaddr from 'ipaddr.js';

export interface AsnEntry {
  asn: number;
  owner: string;
}

export interface AsnTableStats {
  ipv4Ranges: number;
  ipv6Ranges: number;
  owners: number;
  /** Bytes held by the typed arrays (owner strings not included). */
  arrayBytes: number;
}

const MASK_64 = (1n << 64n) - 1n;
/**
 * A few ranges are nested in an earlier, wider one (e.g. a DoD block inside another); when the
 * closest start misses, look this many ranges back for an enclosing one.
 */
const NESTED_LOOKBACK = 8;

/** The CSV's last field: bare, or quoted with `""` for a quote. */
function unquote(field: string): string {
  if (field.length >= 2 && field.startsWith('"') && field.endsWith('"')) return field.slice(1, -1).replaceAll('""', '"');
  return field;
}

/** Rows are columns of equal length; `count` of them are filled. */
interface Rows {
  count: number;
  asns: Uint32Array;
  ownerIds: Uint32Array;
}

function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  return text.length > 0 && !text.endsWith('\n') ? lines + 1 : lines;
}

/** Yields `[start, end, asn, owner]` per non-empty row. */
function* csvRows(text: string, file: string): Generator<[string, string, string, string]> {
  let pos = 0;
  let row = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, text[end - 1] === '\r' ? end - 1 : end);
    pos = end + 1;
    row++;
    if (line.length === 0) continue;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    const c3 = line.indexOf(',', c2 + 1);
    if (c1 < 0 || c2 < 0 || c3 < 0) throw new Error(`${file}: malformed row ${row}`);
    yield [line.slice(0, c1), line.slice(c1 + 1, c2), line.slice(c2 + 1, c3), unquote(line.slice(c3 + 1))];
  }
}

/** IPv6 range bounds are 128-bit: each is kept as two 64-bit halves. */
interface V6Bounds {
  startHi: BigUint64Array;
  startLo: BigUint64Array;
  endHi: BigUint64Array;
  endLo: BigUint64Array;
}

const v6BoundsOf = (n: number): V6Bounds => ({
  startHi: new BigUint64Array(n),
  startLo: new BigUint64Array(n),
  endHi: new BigUint64Array(n),
  endLo: new BigUint64Array(n),
});

/** Interns owner names: 500k ranges share ~75k owners. */
class OwnerNames {
  readonly list: string[] = [];
  private readonly ids = new Map<string, number>();
  id(owner: string): number {
    let id = this.ids.get(owner);
    if (id === undefined) {
      id = this.list.length;
      // A copy: the sliced original would keep the whole CSV text alive.
      this.list.push(Buffer.from(owner, 'utf8').toString('utf8'));
      this.ids.set(owner, id);
    }
    return id;
  }
}

export class AsnTable {
  private constructor(
    private readonly v4Starts: Uint32Array,
    private readonly v4Ends: Uint32Array,
    private readonly v4: Rows,
    private readonly v6Bounds: V6Bounds,
    private readonly v6: Rows,
    private readonly owners: string[],
  ) {}

  /** Reads the IPv4 and IPv6 numeric CSVs (either may be absent). */
  static async load(ipv4Csv: string | undefined, ipv6Csv: string | undefined): Promise<AsnTable> {
    const owners = new OwnerNames();

    let v4Starts = new Uint32Array(0);
    let v4Ends = new Uint32Array(0);
    let v4: Rows = { count: 0, asns: new Uint32Array(0), ownerIds: new Uint32Array(0) };
    if (ipv4Csv) {
      const text = await readFile(ipv4Csv, 'utf8');
      const n = countLines(text);
      v4Starts = new Uint32Array(n);
      v4Ends = new Uint32Array(n);
      v4 = { count: 0, asns: new Uint32Array(n), ownerIds: new Uint32Array(n) };
      for (const [start, end, asn, owner] of csvRows(text, ipv4Csv)) {
        const i = v4.count++;
        v4Starts[i] = Number(start);
        v4Ends[i] = Number(end);
        v4.asns[i] = Number(asn);
        v4.ownerIds[i] = owners.id(owner);
        if (i > 0 && v4Starts[i - 1]! > v4Starts[i]!) throw new Error(`${ipv4Csv}: ranges not sorted by start at row ${i + 1}`);
      }
      // Blank lines were counted but not filled.
      v4Starts = v4Starts.subarray(0, v4.count);
      v4Ends = v4Ends.subarray(0, v4.count);
    }

    let v6Bounds = v6BoundsOf(0);
    let v6: Rows = { count: 0, asns: new Uint32Array(0), ownerIds: new Uint32Array(0) };
    if (ipv6Csv) {
      const text = await readFile(ipv6Csv, 'utf8');
      const n = countLines(text);
      v6Bounds = v6BoundsOf(n);
      v6 = { count: 0, asns: new Uint32Array(n), ownerIds: new Uint32Array(n) };
      let previousStart = -1n;
      for (const [startText, endText, asn, owner] of csvRows(text, ipv6Csv)) {
        const i = v6.count++;
        const start = BigInt(startText);
        const end = BigInt(endText);
        if (start < previousStart) throw new Error(`${ipv6Csv}: ranges not sorted by start at row ${i + 1}`);
        previousStart = start;
        v6Bounds.startHi[i] = start >> 64n;
        v6Bounds.startLo[i] = start & MASK_64;
        v6Bounds.endHi[i] = end >> 64n;
        v6Bounds.endLo[i] = end & MASK_64;
        v6.asns[i] = Number(asn);
        v6.ownerIds[i] = owners.id(owner);
      }
      v6Bounds = {
        startHi: v6Bounds.startHi.subarray(0, v6.count),
        startLo: v6Bounds.startLo.subarray(0, v6.count),
        endHi: v6Bounds.endHi.subarray(0, v6.count),
        endLo: v6Bounds.endLo.subarray(0, v6.count),
      };
    }
    return new AsnTable(v4Starts, v4Ends, v4, v6Bounds, v6, owners.list);
  }

  /** The AS announcing the address, or undefined when no range holds it or the text is not an address. */
  lookup(address: string): AsnEntry | undefined {
    if (!ipaddr.isValid(address)) return undefined;
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    const bytes = parsed.toByteArray();
    if (parsed.kind() === 'ipv4') {
      const ip = ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!;
      const i = this.findV4(ip);
      return i === -1 ? undefined : this.entry(this.v4, i);
    }
    let value = 0n;
    for (const b of bytes) value = (value << 8n) | BigInt(b);
    const i = this.findV6(value >> 64n, value & MASK_64);
    return i === -1 ? undefined : this.entry(this.v6, i);
  }

  stats(): AsnTableStats {
    const arrays = [this.v4Starts, this.v4Ends, this.v4.asns, this.v4.ownerIds, ...Object.values(this.v6Bounds), this.v6.asns, this.v6.ownerIds];
    return {
      ipv4Ranges: this.v4.count,
      ipv6Ranges: this.v6.count,
      owners: this.owners.length,
      arrayBytes: arrays.reduce((sum, a) => sum + a.byteLength, 0),
    };
  }

  private entry(rows: Rows, i: number): AsnEntry {
    return { asn: rows.asns[i]!, owner: this.owners[rows.ownerIds[i]!]! };
  }

  private findV4(ip: number): number {
    const starts = this.v4Starts;
    let lo = 0;
    let hi = starts.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= ip) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = best; i >= 0 && i > best - NESTED_LOOKBACK; i--) if (ip <= this.v4Ends[i]!) return i;
    return -1;
  }

  private findV6(ipHi: bigint, ipLo: bigint): number {
    const le = (aHi: bigint, aLo: bigint, bHi: bigint, bLo: bigint) => aHi < bHi || (aHi === bHi && aLo <= bLo);
    let lo = 0;
    let hi = this.v6Bounds.startHi.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (le(this.v6Bounds.startHi[mid]!, this.v6Bounds.startLo[mid]!, ipHi, ipLo)) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = best; i >= 0 && i > best - NESTED_LOOKBACK; i--) if (le(ipHi, ipLo, this.v6Bounds.endHi[i]!, this.v6Bounds.endLo[i]!)) return i;
    return -1;
  }
}
