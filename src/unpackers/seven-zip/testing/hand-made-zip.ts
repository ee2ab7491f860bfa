/**
 * Writes ZIP bytes by hand for tests: stored or deflated entries, any name bytes, and local
 * header fields that may lie about what the central directory says.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface HandMadeEntry {
  /** Taken byte for byte (a string as UTF-8). */
  name: string | Buffer;
  data: string | Buffer;
  deflate?: boolean;
  /** Overrides of the local header only (the central directory keeps the true values). */
  local?: { flags?: number; packed?: number; size?: number; crc?: number };
}

export function handMadeZip(entries: readonly HandMadeEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.from(entry.data);
    const packed = entry.deflate ? deflateRawSync(data) : data;
    const name = Buffer.from(entry.name);
    const method = entry.deflate ? 8 : 0;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.local?.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x6000, 10);
    local.writeUInt16LE(0x5a21, 12);
    local.writeUInt32LE(entry.local?.crc ?? crc, 14);
    local.writeUInt32LE(entry.local?.packed ?? packed.length, 18);
    local.writeUInt32LE(entry.local?.size ?? data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x6000, 12);
    central.writeUInt16LE(0x5a21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Sets general-purpose flag bits in the local header at `localOffset` only (the central directory keeps its own). */
export function setLocalFlags(zip: Buffer, localOffset: number, bits: number): Buffer {
  const copy = Buffer.from(zip);
  copy.writeUInt16LE(copy.readUInt16LE(localOffset + 6) | bits, localOffset + 6);
  return copy;
}
