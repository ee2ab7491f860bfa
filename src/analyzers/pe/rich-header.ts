/**
 * The Rich header the Microsoft linker writes into the DOS stub: `rich_pe_header_hash` (the md5
 * of its XOR-decoded bytes, as pefile's get_rich_header_hash and VirusTotal compute it) and the
 * tool entries as `compiler_product_versions`.
 */
import { md5Hex } from './byte-stats.js';
import type { PeImage } from './pe-image.js';

const DANS = 0x536e6144;
const RICH = 0x68636952;

export interface RichHeader {
  hash: string;
  compilerProductVersions: string[];
}

export function parseRichHeader(pe: PeImage): RichHeader | undefined {
  const data = pe.data;
  // pefile looks for "Rich" between 0x80 and the optional header, and only there.
  const richIndex = data.subarray(0, pe.optionalHeaderOffset).indexOf('Rich', 0x80, 'latin1');
  if (richIndex === -1 || richIndex + 4 > pe.optionalHeaderOffset) return undefined;
  let block = data.subarray(0x80, Math.min(richIndex + 8, data.length));
  block = block.subarray(0, block.length - (block.length % 4));
  const words: number[] = [];
  for (let i = 0; i + 4 <= block.length; i += 4) words.push(block.readUInt32LE(i));
  const richWord = words.indexOf(RICH);
  if (richWord === -1 || richWord + 1 >= words.length) return undefined;
  const key = words[richWord + 1]!;
  const keyBytes = Buffer.alloc(4);
  keyBytes.writeUInt32LE(key);
  const raw = block.subarray(0, block.indexOf('Rich', 0, 'latin1'));
  const clear = Buffer.alloc(raw.length);
  for (let i = 0; i < raw.length; i++) clear[i] = raw[i]! ^ keyBytes[i % 4]!;
  const checksum = words[1];
  if (words.length < 4 || ((words[0]! ^ checksum!) >>> 0) !== DANS || words[2] !== checksum || words[3] !== checksum) return undefined;
  const versions: string[] = [];
  const body = words.slice(4);
  for (let i = 0; i + 1 < body.length; i += 2) {
    if (body[i] === RICH) break;
    const compId = (body[i]! ^ checksum!) >>> 0;
    const count = (body[i + 1]! ^ checksum!) >>> 0;
    const id = compId >>> 16;
    const build = compId & 0xffff;
    versions.push(`id: 0x${id.toString(16).padStart(4, '0')}, version: ${build} count=${count}`);
  }
  return { hash: md5Hex(clear), compilerProductVersions: versions };
}
