/**
 * The VBA project of a binary PowerPoint file: a compound file stored zlib-compressed in an
 * ExOleObjStg record ([MS-PPT] 2.10.34 ExOleObjStgCompressedAtom: recInstance 1, recType 0x1011,
 * then the decompressed size and the zlib data) inside the `PowerPoint Document` stream. Records
 * are found by their header rather than by walking the persist directory, so a damaged directory
 * does not hide them; each candidate is inflated under a size cap.
 */
import { inflateSync } from 'node:zlib';
import { isOle, OleFile } from './ole-reader.js';

const RT_EXOLEOBJSTG = 0x1011;
const MAX_SCAN_BYTES = 64 * 1024 * 1024;
const MAX_CANDIDATES = 100;

export function compressedOleObjects(stream: Buffer, maxInflatedBytes: number): OleFile[] {
  const out: OleFile[] = [];
  const end = Math.min(stream.length, MAX_SCAN_BYTES) - 12;
  let candidates = 0;
  for (let i = 0; i <= end && candidates < MAX_CANDIDATES; i++) {
    // recVer 0 and recInstance 1 (compressed) in the first 16 bits, then the record type.
    if (stream[i] !== 0x10 || stream[i + 1] !== 0x00 || stream.readUInt16LE(i + 2) !== RT_EXOLEOBJSTG) continue;
    const length = stream.readUInt32LE(i + 4);
    const declared = stream.readUInt32LE(i + 8);
    if (length < 4 || declared > maxInflatedBytes) continue;
    candidates++;
    try {
      const inflated = inflateSync(stream.subarray(i + 12, Math.min(stream.length, i + 8 + length)), { maxOutputLength: Math.max(1, declared) });
      if (isOle(inflated)) out.push(new OleFile(inflated));
    } catch {
      // Not zlib data, or larger than it said: not a usable object.
    }
  }
  return out;
}
