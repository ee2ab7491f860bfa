/** Packer recognition for ELF files: UPX, by its "UPX!" headers where UPX writes them. */
// UPX puts an l_info block right after the program headers (checksum, then the "UPX!" magic) and a
// PackHeader with the same magic in the file's last bytes; packed files have no section headers.
// Matching the magic only at those places keeps the upx tool itself (which contains the string) out.
import type { ByteReader } from './byte-reader.js';
import type { ParsedElf } from './elf-parser.js';

const MAGIC = Buffer.from('UPX!', 'latin1');
const TAIL_BYTES = 64;
/** Where UPX's "$Id: UPX 4.02 Copyright..." banner sits: inside the first loader pages. */
const BANNER_BYTES = 64 * 1024;

export interface PackerFinding {
  name: string;
  evidence: string[];
}

export async function detectElfPacker(reader: ByteReader, elf: ParsedElf): Promise<PackerFinding | undefined> {
  const evidence: string[] = [];
  const linfoAt = elf.phoff + elf.segments.length * elf.phentsize;
  const linfo = await reader.read(linfoAt, 12);
  if (linfo.length >= 8 && linfo.subarray(4, 8).equals(MAGIC)) evidence.push(`l_info magic after the program headers (offset ${linfoAt + 4})`);
  const tailAt = Math.max(0, reader.size - TAIL_BYTES);
  const tail = await reader.read(tailAt, TAIL_BYTES);
  const inTail = tail.lastIndexOf(MAGIC);
  if (inTail >= 0 && elf.sections.length === 0) evidence.push(`PackHeader magic in the last ${TAIL_BYTES} bytes, no section headers`);
  if (evidence.length === 0) return undefined;
  const head = await reader.read(0, BANNER_BYTES);
  const banner = /\$Id: UPX (\d+\.\d+(?:\.\d+)?)/.exec(head.toString('latin1'));
  return { name: banner ? `UPX ${banner[1]}` : 'UPX', evidence };
}
