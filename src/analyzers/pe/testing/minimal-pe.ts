/**
 * A hand-laid PE32 image for hostile-input tests: one section mapping RVA == file offset over the
 * whole file, so a test writes any structure at an offset and points a data directory at it.
 */

export const MINIMAL_PE_HEADER_END = 0x200;
const E_LFANEW = 0x40;
const OPTIONAL_HEADER = E_LFANEW + 24;
const SECTION_TABLE = OPTIONAL_HEADER + 224;

export interface MinimalPe {
  bytes: Buffer;
  /** Points data directory `index` at `rva` (equal to the file offset) with `size`. */
  directory(index: number, rva: number, size: number): void;
  /** Offset of the file header's NumberOfSections. */
  readonly numberOfSectionsOffset: number;
  readonly sectionTableOffset: number;
}

export function minimalPe(size = 0x4000): MinimalPe {
  const b = Buffer.alloc(size);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(E_LFANEW, 0x3c);
  b.write('PE\0\0', E_LFANEW, 'latin1');
  b.writeUInt16LE(0x14c, E_LFANEW + 4); // i386
  b.writeUInt16LE(1, E_LFANEW + 6); // one section
  b.writeUInt32LE(0x5f000000, E_LFANEW + 8); // timestamp
  b.writeUInt16LE(224, E_LFANEW + 20);
  b.writeUInt16LE(0x0102, E_LFANEW + 22); // executable, 32-bit
  const oh = OPTIONAL_HEADER;
  b.writeUInt16LE(0x10b, oh);
  b.writeUInt32LE(MINIMAL_PE_HEADER_END, oh + 16); // entry point
  b.writeUInt32LE(0x400000, oh + 28);
  b.writeUInt32LE(0x200, oh + 32); // SectionAlignment == FileAlignment: RVA == offset
  b.writeUInt32LE(0x200, oh + 36);
  b.writeUInt32LE(size, oh + 56); // SizeOfImage
  b.writeUInt32LE(MINIMAL_PE_HEADER_END, oh + 60);
  b.writeUInt16LE(3, oh + 68);
  b.writeUInt32LE(16, oh + 92);
  const s = SECTION_TABLE;
  b.write('.text', s, 'latin1');
  b.writeUInt32LE(size - MINIMAL_PE_HEADER_END, s + 8);
  b.writeUInt32LE(MINIMAL_PE_HEADER_END, s + 12);
  b.writeUInt32LE(size - MINIMAL_PE_HEADER_END, s + 16);
  b.writeUInt32LE(MINIMAL_PE_HEADER_END, s + 20);
  b.writeUInt32LE(0x60000020, s + 36);
  return {
    bytes: b,
    directory(index, rva, dirSize) {
      b.writeUInt32LE(rva, oh + 96 + index * 8);
      b.writeUInt32LE(dirSize, oh + 100 + index * 8);
    },
    numberOfSectionsOffset: E_LFANEW + 6,
    sectionTableOffset: SECTION_TABLE,
  };
}
