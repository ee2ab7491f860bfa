/**
 * A bounded reader of OLE compound files ([MS-CFB]): header, DIFAT, FAT, mini FAT, directory tree,
 * stream contents. Written by hand rather than with the `cfb` package (used by the tests to write
 * files) because cfb 1.2.2's reader follows the chain of a stream that starts inside another chain
 * without a loop check (get_sector_list): a FAT loop there grows an array until the process runs
 * out of memory, which no try/catch or worker deadline contains well (office-hostile.test.ts builds
 * such a file). Here every chain is followed at most once per sector, the directory walk visits
 * each entry once, and all counts are capped.
 */

export interface OleEntry {
  /** Index in the directory (VT's `sid`). */
  sid: number;
  name: string;
  /** Full path below the root, `/`-separated (e.g. `Macros/VBA/dir`). */
  path: string;
  kind: 'root' | 'storage' | 'stream';
  /** The CLSID as text (`00020906-0000-0000-c000-000000000046`), empty when all zero. */
  clsid: string;
  size: number;
  start: number;
}

export interface OleLimits {
  /** Directory entries read at most. */
  maxEntries: number;
  /** Storage nesting depth followed at most. */
  maxDepth: number;
}

export const DEFAULT_OLE_LIMITS: OleLimits = { maxEntries: 20_000, maxDepth: 32 };

const SIGNATURE = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const ENDOFCHAIN = 0xfffffffe;
const FREESECT = 0xffffffff;
const NOSTREAM = 0xffffffff;
const MAX_SECTOR_ID = 0xfffffffa;

export class OleFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OleFormatError';
  }
}

export function isOle(data: Uint8Array): boolean {
  return data.length >= 8 && Buffer.from(data.buffer, data.byteOffset, 8).equals(SIGNATURE);
}

export class OleFile {
  /** Every entry reachable from the root, in directory-tree order; the root first. */
  readonly entries: OleEntry[] = [];
  /** Damage found while reading (loops, truncation); the readable part is still returned. */
  readonly warnings: string[] = [];
  private readonly byPath = new Map<string, OleEntry>();
  private readonly sectorSize: number;
  private readonly sectorCount: number;
  private readonly fat: Uint32Array;
  private miniFat = new Uint32Array(0);
  private miniStream: Buffer = Buffer.alloc(0);
  private readonly miniCutoff: number;

  constructor(
    private readonly data: Buffer,
    limits: OleLimits = DEFAULT_OLE_LIMITS,
  ) {
    if (!isOle(data) || data.length < 512) throw new OleFormatError('not an OLE compound file');
    const major = data.readUInt16LE(0x1a);
    const shift = data.readUInt16LE(0x1e);
    if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) throw new OleFormatError(`unsupported version ${major} / sector shift ${shift}`);
    this.sectorSize = 1 << shift;
    this.sectorCount = Math.max(0, Math.ceil((data.length - this.sectorSize) / this.sectorSize));
    this.miniCutoff = data.readUInt32LE(0x38) || 4096;
    this.fat = this.readFat();
    const root = this.readDirectory(data.readUInt32LE(0x30), limits);
    if (root) this.readMiniStructures(root);
  }

  find(path: string): OleEntry | undefined {
    return this.byPath.get(path.toLowerCase());
  }

  /** The entries directly below a storage path ('' for the root). */
  children(path: string): OleEntry[] {
    const prefix = path === '' ? '' : `${path.toLowerCase()}/`;
    return this.entries.filter((e) => e.kind !== 'root' && e.path.toLowerCase().startsWith(prefix) && !e.path.slice(prefix.length).includes('/'));
  }

  /** A stream's bytes, at most its declared size (less if its chain is damaged). */
  read(entry: OleEntry): Buffer {
    if (entry.kind !== 'stream' || entry.size === 0) return Buffer.alloc(0);
    if (entry.size < this.miniCutoff) return this.readChain(entry.start, entry.size, this.miniFat, 64, (i) => this.miniSector(i), `mini stream of ${entry.path}`);
    return this.readChain(entry.start, entry.size, this.fat, this.sectorSize, (i) => this.sector(i), `stream ${entry.path}`);
  }

  private sector(index: number): Buffer | undefined {
    if (index >= this.sectorCount) return undefined;
    const offset = (index + 1) * this.sectorSize;
    return this.data.subarray(offset, Math.min(offset + this.sectorSize, this.data.length));
  }

  private miniSector(index: number): Buffer | undefined {
    const offset = index * 64;
    if (offset >= this.miniStream.length) return undefined;
    return this.miniStream.subarray(offset, offset + 64);
  }

  /** Follows a chain once per sector; a repeated sector ends it (a loop), as does a pointer past the end. */
  private chain(start: number, table: Uint32Array, what: string, maxSectors = table.length): number[] {
    const out: number[] = [];
    // A Set rather than a bitmap: most chains are short, and a bitmap per read would cost the table's size each time.
    const seen = new Set<number>();
    let current = start;
    while (current !== ENDOFCHAIN && current !== FREESECT) {
      if (current > MAX_SECTOR_ID || current >= table.length) {
        this.warnings.push(`${what}: sector ${current} out of range`);
        break;
      }
      if (seen.has(current)) {
        this.warnings.push(`${what}: sector chain loops at ${current}`);
        break;
      }
      seen.add(current);
      out.push(current);
      if (out.length >= maxSectors) break;
      current = table[current]!;
    }
    return out;
  }

  private readChain(start: number, size: number, table: Uint32Array, unit: number, get: (i: number) => Buffer | undefined, what: string): Buffer {
    const sectors = this.chain(start, table, what, Math.ceil(size / unit));
    const parts: Buffer[] = [];
    let total = 0;
    for (const s of sectors) {
      const part = get(s);
      if (!part) break;
      parts.push(part);
      total += part.length;
      if (total >= size) break;
    }
    const out = Buffer.concat(parts, total);
    if (out.length < size) this.warnings.push(`${what}: ${size} bytes declared, ${out.length} readable`);
    return out.subarray(0, Math.min(size, out.length));
  }

  private readFat(): Uint32Array {
    const data = this.data;
    const perSector = this.sectorSize / 4;
    const fatSectorIds: number[] = [];
    for (let i = 0; i < 109; i++) {
      const id = data.readUInt32LE(0x4c + i * 4);
      if (id <= MAX_SECTOR_ID) fatSectorIds.push(id);
    }
    // The DIFAT chain: each sector lists FAT sectors and ends with the next DIFAT sector.
    const seen = new Set<number>();
    let difat = data.readUInt32LE(0x44);
    const declared = data.readUInt32LE(0x48);
    while (difat <= MAX_SECTOR_ID && seen.size < Math.min(declared, this.sectorCount)) {
      if (seen.has(difat)) {
        this.warnings.push(`DIFAT chain loops at ${difat}`);
        break;
      }
      seen.add(difat);
      const sector = this.sector(difat);
      if (!sector || sector.length < this.sectorSize) {
        this.warnings.push(`DIFAT sector ${difat} beyond the end of the file`);
        break;
      }
      for (let i = 0; i < perSector - 1; i++) {
        const id = sector.readUInt32LE(i * 4);
        if (id <= MAX_SECTOR_ID) fatSectorIds.push(id);
      }
      difat = sector.readUInt32LE(this.sectorSize - 4);
    }
    // Only the entries for sectors the file really has can matter, which bounds the table by the file size.
    const fat = new Uint32Array(this.sectorCount).fill(FREESECT);
    let filled = 0;
    for (const id of fatSectorIds) {
      if (filled >= fat.length) break;
      const sector = this.sector(id);
      if (!sector) {
        this.warnings.push(`FAT sector ${id} beyond the end of the file`);
        filled += perSector;
        continue;
      }
      for (let i = 0; i + 4 <= sector.length && filled < fat.length; i += 4) fat[filled++] = sector.readUInt32LE(i);
    }
    return fat;
  }

  private readDirectory(firstSector: number, limits: OleLimits): OleEntry | undefined {
    const sectors = this.chain(firstSector, this.fat, 'directory', Math.ceil((limits.maxEntries * 128) / this.sectorSize));
    const raw: Buffer[] = [];
    for (const s of sectors) {
      const sector = this.sector(s);
      if (sector) raw.push(sector);
    }
    const dir = Buffer.concat(raw);
    const count = Math.min(Math.floor(dir.length / 128), limits.maxEntries);
    if (count === 0) throw new OleFormatError('no directory');
    const at = (sid: number) => dir.subarray(sid * 128, sid * 128 + 128);
    const parse = (sid: number, parent: string): OleEntry | undefined => {
      const e = at(sid);
      const type = e[0x42];
      const kind = type === 5 ? 'root' : type === 1 ? 'storage' : type === 2 ? 'stream' : undefined;
      if (!kind) return undefined;
      const nameBytes = Math.min(Math.max(e.readUInt16LE(0x40) - 2, 0), 62);
      const name = e.toString('utf16le', 0, nameBytes - (nameBytes % 2));
      const low = e.readUInt32LE(0x78);
      // Version 3 files may leave garbage in the high half of the size.
      const size = this.sectorSize === 512 ? low : low + e.readUInt32LE(0x7c) * 2 ** 32;
      const entry: OleEntry = { sid, name, path: kind === 'root' ? '' : parent ? `${parent}/${name}` : name, kind, clsid: clsidText(e.subarray(0x50, 0x60)), size, start: e.readUInt32LE(0x74) };
      return entry;
    };
    const root = parse(0, '');
    if (!root || root.kind !== 'root') throw new OleFormatError('directory entry 0 is not the root');
    this.entries.push(root);
    const visited = new Uint8Array(count);
    visited[0] = 1;
    // Each storage's children form a binary tree through left/right siblings; walk it without recursion.
    const storages: Array<{ child: number; path: string; depth: number }> = [{ child: dir.readUInt32LE(0x4c), path: '', depth: 1 }];
    while (storages.length > 0) {
      const { child, path, depth } = storages.pop()!;
      if (depth > limits.maxDepth) {
        this.warnings.push(`storage nesting deeper than ${limits.maxDepth} at ${path}`);
        continue;
      }
      const pending = [child];
      while (pending.length > 0) {
        const sid = pending.pop()!;
        if (sid === NOSTREAM) continue;
        if (sid >= count) {
          this.warnings.push(`directory entry ${sid} out of range`);
          continue;
        }
        if (visited[sid]) {
          this.warnings.push(`directory entry ${sid} reached twice (cycle)`);
          continue;
        }
        visited[sid] = 1;
        const entry = parse(sid, path);
        const raw = at(sid);
        pending.push(raw.readUInt32LE(0x48), raw.readUInt32LE(0x44));
        if (!entry || entry.kind === 'root') continue;
        this.entries.push(entry);
        this.byPath.set(entry.path.toLowerCase(), entry);
        if (entry.kind === 'storage') storages.push({ child: raw.readUInt32LE(0x4c), path: entry.path, depth: depth + 1 });
      }
    }
    return root;
  }

  private readMiniStructures(root: OleEntry): void {
    const data = this.data;
    const miniFatStart = data.readUInt32LE(0x3c);
    const miniFatSectors = data.readUInt32LE(0x40);
    if (miniFatStart > MAX_SECTOR_ID || miniFatSectors === 0) return;
    const fatSectors = this.chain(miniFatStart, this.fat, 'mini FAT', Math.min(miniFatSectors, this.sectorCount));
    const parts = fatSectors.map((s) => this.sector(s)).filter((s): s is Buffer => s !== undefined);
    const raw = Buffer.concat(parts);
    this.miniFat = new Uint32Array(Math.floor(raw.length / 4));
    for (let i = 0; i < this.miniFat.length; i++) this.miniFat[i] = raw.readUInt32LE(i * 4);
    // The mini stream is the root entry's stream, always in regular sectors.
    this.miniStream = this.readChain(root.start, Math.min(root.size, this.miniFat.length * 64), this.fat, this.sectorSize, (i) => this.sector(i), 'mini stream');
  }
}

function clsidText(b: Buffer): string {
  if (b.every((x) => x === 0)) return '';
  const hex = (buf: Buffer) => buf.toString('hex');
  const le = (off: number, len: number) => hex(Buffer.from(b.subarray(off, off + len)).reverse());
  return `${le(0, 4)}-${le(4, 2)}-${le(6, 2)}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`;
}
