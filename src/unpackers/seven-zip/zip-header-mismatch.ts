/**
 * Finds a ZIP entry whose local header disagrees with its central directory record. 7zz reads
 * the central directory but decrypts with the local header's flags, so such an archive makes it
 * say "Wrong password" for the right one; this check lets the unpacker call it damaged instead.
 *
 * Hand-written (7zz reports no per-entry header mismatch, and no ZIP library compares the two):
 * it reads only fixed-size headers, at most MAX_RECORDS of them, from a central directory of at
 * most MAX_CENTRAL_BYTES, so time and memory are bounded whatever the bytes claim.
 */
import { open, type FileHandle } from 'node:fs/promises';

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
/** The end record sits within its own size plus a comment of at most 65535 bytes from the end. */
const EOCD_SEARCH = EOCD_SIZE + 0xffff;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_CENTRAL_BYTES = 16 * 1024 * 1024;
const MAX_RECORDS = 10_000;
/** Encrypted (0), sizes in a data descriptor (3), strong encryption (6): each changes how the data is read. */
const READING_FLAGS = 0x0001 | 0x0008 | 0x0040;
const DATA_DESCRIPTOR = 0x0008;
/** A 32-bit field with this value defers to the ZIP64 extra field: not compared here. */
const ZIP64 = 0xffffffff;

/**
 * A sentence naming the first entry whose local header disagrees with the central directory
 * (flags, method, name, or CRC and sizes when both headers carry them), or undefined when they
 * agree or the archive is not one this check can read (ZIP64, no end record): then it says nothing.
 */
export async function findHeaderMismatch(archivePath: string): Promise<string | undefined> {
  const file = await open(archivePath, 'r');
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, EOCD_SEARCH);
    const tail = await read(file, size - tailLength, tailLength);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0 || eocd + EOCD_SIZE > tail.length || tail.readUInt32LE(eocd) !== EOCD_SIGNATURE) return undefined;
    const records = tail.readUInt16LE(eocd + 10);
    const centralSize = tail.readUInt32LE(eocd + 12);
    const centralOffset = tail.readUInt32LE(eocd + 16);
    if (records === 0xffff || centralSize === ZIP64 || centralOffset === ZIP64) return undefined;
    if (centralSize > MAX_CENTRAL_BYTES || centralOffset + centralSize > size) return undefined;
    const central = await read(file, centralOffset, centralSize);

    let at = 0;
    for (let index = 0; index < Math.min(records, MAX_RECORDS); index++) {
      if (at + CENTRAL_SIZE > central.length || central.readUInt32LE(at) !== CENTRAL_SIGNATURE) return undefined;
      const c = {
        flags: central.readUInt16LE(at + 8),
        method: central.readUInt16LE(at + 10),
        crc: central.readUInt32LE(at + 16),
        packed: central.readUInt32LE(at + 20),
        size: central.readUInt32LE(at + 24),
      };
      const nameLength = central.readUInt16LE(at + 28);
      const recordLength = CENTRAL_SIZE + nameLength + central.readUInt16LE(at + 30) + central.readUInt16LE(at + 32);
      const localOffset = central.readUInt32LE(at + 42);
      if (at + recordLength > central.length) return undefined;
      const name = central.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
      at += recordLength;
      if (localOffset === ZIP64) continue;

      const label = `entry ${index + 1} (${JSON.stringify(printable(name))})`;
      if (localOffset + LOCAL_SIZE > size) return `${label} points past the end of the archive`;
      const local = await read(file, localOffset, LOCAL_SIZE + nameLength);
      if (local.readUInt32LE(0) !== LOCAL_SIGNATURE) return `${label} has no local header where the central directory says`;
      const l = {
        flags: local.readUInt16LE(6),
        method: local.readUInt16LE(8),
        crc: local.readUInt32LE(14),
        packed: local.readUInt32LE(18),
        size: local.readUInt32LE(22),
      };
      if ((l.flags & READING_FLAGS) !== (c.flags & READING_FLAGS)) return `${label} has different flags in its local header and the central directory`;
      if (l.method !== c.method) return `${label} has a different compression method in its local header and the central directory`;
      if (local.readUInt16LE(26) !== nameLength || !local.subarray(LOCAL_SIZE).equals(name)) return `${label} has a different name in its local header`;
      const sizesInBoth = !(l.flags & DATA_DESCRIPTOR) && ![l.packed, l.size, c.packed, c.size].includes(ZIP64);
      if (sizesInBoth && (l.crc !== c.crc || l.packed !== c.packed || l.size !== c.size)) {
        return `${label} has different sizes or CRC in its local header and the central directory`;
      }
    }
    return undefined;
  } finally {
    await file.close();
  }
}

/** Up to `length` bytes at `position` (fewer at the end of the file). */
async function read(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** The name for a message: UTF-8 as far as it decodes, control characters dropped, at most 80 characters. */
function printable(name: Buffer): string {
  const text = name.toString('utf8').replace(/[\u0000-\u001f\u007f]/g, '');
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
