/**
 * The PE headers (DOS, file, optional, data directories, section table) and the RVA-to-offset
 * mapping the other parsers read through. Address arithmetic follows pefile (alignment rounding,
 * sections cut at the next section's start, RVAs outside every section taken as file offsets) so
 * that what we report matches what pefile, and VirusTotal, report.
 */
import type { Budget } from './pe-limits.js';

export class PeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeFormatError';
  }
}

export interface DataDirectory {
  rva: number;
  size: number;
}

export interface SectionHeader {
  /** Raw name: up to 8 bytes, NULs trimmed from the end, latin1 decoded. */
  name: string;
  virtualSize: number;
  virtualAddress: number;
  rawSize: number;
  rawPointer: number;
  characteristics: number;
  /** pefile's VirtualAddress and PointerToRawData after alignment rounding. */
  vaAdj: number;
  rawAdj: number;
  /** [start, end) of RVAs this section answers for (pefile's contains_rva). */
  rvaStart: number;
  rvaEnd: number;
}

export const DIR = {
  EXPORT: 0,
  IMPORT: 1,
  RESOURCE: 2,
  EXCEPTION: 3,
  SECURITY: 4,
  BASERELOC: 5,
  DEBUG: 6,
  TLS: 9,
  IAT: 12,
  CLR: 14,
} as const;

export const IMAGE_FILE_DLL = 0x2000;
const PE32 = 0x10b;
const PE32_PLUS = 0x20b;

export class PeImage {
  readonly eLfanew: number;
  readonly machine: number;
  readonly numberOfSections: number;
  readonly timeDateStamp: number;
  readonly sizeOfOptionalHeader: number;
  readonly characteristics: number;
  readonly optionalHeaderOffset: number;
  readonly is64: boolean;
  readonly entryPoint: number;
  readonly imageBase: bigint;
  readonly sectionAlignment: number;
  readonly fileAlignment: number;
  readonly sizeOfHeaders: number;
  readonly subsystem: number;
  readonly checksumOffset: number;
  /** File offset of the security directory entry (8 bytes), skipped by the Authenticode hash. */
  readonly securityDirEntryOffset: number;
  readonly directories: DataDirectory[];
  /** Sorted by VirtualAddress, as pefile keeps them. */
  readonly sections: SectionHeader[];
  readonly warnings: string[] = [];

  constructor(
    readonly data: Buffer,
    budget: Budget,
  ) {
    if (data.length < 0x40 || data.readUInt16LE(0) !== 0x5a4d) throw new PeFormatError('no MZ header');
    this.eLfanew = data.readUInt32LE(0x3c);
    if (this.eLfanew > data.length - 24) throw new PeFormatError('e_lfanew points outside the file');
    if (data.readUInt32LE(this.eLfanew) !== 0x00004550) throw new PeFormatError('no PE signature');
    const fh = this.eLfanew + 4;
    this.machine = data.readUInt16LE(fh);
    this.numberOfSections = data.readUInt16LE(fh + 2);
    this.timeDateStamp = data.readUInt32LE(fh + 4);
    this.sizeOfOptionalHeader = data.readUInt16LE(fh + 16);
    this.characteristics = data.readUInt16LE(fh + 18);
    const oh = fh + 20;
    this.optionalHeaderOffset = oh;
    // pefile's minimum: an optional header cut before its 69th byte is refused, a longer one zero-padded.
    if (data.length < oh + 69) throw new PeFormatError('optional header truncated');
    const magic = this.u16(oh);
    if (magic !== PE32 && magic !== PE32_PLUS) throw new PeFormatError(`unknown optional header magic 0x${magic.toString(16)}`);
    this.is64 = magic === PE32_PLUS;
    this.entryPoint = this.u32(oh + 16);
    this.imageBase = this.is64 ? this.u64(oh + 24) : BigInt(this.u32(oh + 28));
    this.sectionAlignment = this.u32(oh + 32);
    this.fileAlignment = this.u32(oh + 36);
    this.sizeOfHeaders = this.u32(oh + 60);
    this.checksumOffset = oh + 64;
    this.subsystem = this.u16(oh + 68);
    const rvaCountOffset = oh + (this.is64 ? 108 : 92);
    const dirOffset = rvaCountOffset + 4;
    // NumberOfRvaAndSizes entries, at most the 16 defined ones (as pefile reads them).
    const dirCount = Math.min(16, this.u32(rvaCountOffset));
    this.securityDirEntryOffset = dirOffset + DIR.SECURITY * 8;
    this.directories = [];
    for (let i = 0; i < dirCount; i++) {
      const at = dirOffset + i * 8;
      this.directories.push({ rva: this.u32(at), size: this.u32(at + 4) });
    }
    this.sections = this.readSections(oh + this.sizeOfOptionalHeader, budget);
  }

  get isDll(): boolean {
    return (this.characteristics & IMAGE_FILE_DLL) !== 0;
  }

  directory(index: number): DataDirectory {
    return this.directories[index] ?? { rva: 0, size: 0 };
  }

  /** Little-endian reads that give 0 past the end of the file, as reading zero-padded memory would. */
  u8(offset: number): number {
    return offset >= 0 && offset < this.data.length ? this.data[offset]! : 0;
  }
  u16(offset: number): number {
    return offset >= 0 && offset + 2 <= this.data.length ? this.data.readUInt16LE(offset) : 0;
  }
  u32(offset: number): number {
    return offset >= 0 && offset + 4 <= this.data.length ? this.data.readUInt32LE(offset) : 0;
  }
  u64(offset: number): bigint {
    return offset >= 0 && offset + 8 <= this.data.length ? this.data.readBigUInt64LE(offset) : 0n;
  }

  private readSections(tableOffset: number, budget: Budget): SectionHeader[] {
    const count = Math.min(this.numberOfSections, budget.limits.maxSections);
    if (this.numberOfSections > count) this.warnings.push(`only the first ${count} of ${this.numberOfSections} sections were read`);
    const sections: SectionHeader[] = [];
    for (let i = 0; i < count; i++) {
      const at = tableOffset + i * 40;
      if (at + 40 > this.data.length) break;
      const raw = this.data.subarray(at, at + 40);
      // pefile stops at an all-zero section header.
      if (raw.every((b) => b === 0)) break;
      const nameBytes = raw.subarray(0, 8);
      const nul = nameBytes.indexOf(0);
      const rawPointer = raw.readUInt32LE(20);
      const virtualAddress = raw.readUInt32LE(12);
      sections.push({
        name: nameBytes.subarray(0, nul === -1 ? 8 : nul).toString('latin1'),
        virtualSize: raw.readUInt32LE(8),
        virtualAddress,
        rawSize: raw.readUInt32LE(16),
        rawPointer,
        characteristics: raw.readUInt32LE(36),
        rawAdj: this.adjustFileAlignment(rawPointer),
        vaAdj: this.adjustSectionAlignment(virtualAddress),
        rvaStart: 0,
        rvaEnd: 0,
      });
    }
    // Stable sort by VirtualAddress, then the RVA range each section answers for (pefile's contains_rva).
    sections.sort((a, b) => a.virtualAddress - b.virtualAddress);
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i]!;
      let size = this.data.length - s.rawAdj < s.rawSize ? s.virtualSize : Math.max(s.rawSize, s.virtualSize);
      const next = sections[i + 1]?.virtualAddress;
      if (next !== undefined && next > s.virtualAddress && s.vaAdj + size > next) size = next - s.vaAdj;
      s.rvaStart = s.vaAdj;
      s.rvaEnd = s.vaAdj + size;
    }
    return sections;
  }

  private adjustFileAlignment(value: number): number {
    if (this.fileAlignment < 0x200) return value;
    return Math.floor(value / 0x200) * 0x200;
  }

  private adjustSectionAlignment(value: number): number {
    let alignment = this.sectionAlignment;
    if (alignment < 0x1000) alignment = this.fileAlignment;
    if (alignment && value % alignment) return alignment * Math.floor(value / alignment);
    return value;
  }

  sectionForRva(rva: number): SectionHeader | undefined {
    for (const s of this.sections) if (rva >= s.rvaStart && rva < s.rvaEnd) return s;
    return undefined;
  }

  /** File offset of an RVA, or undefined when it maps nowhere in the file (pefile's get_offset_from_rva). */
  offsetOfRva(rva: number): number | undefined {
    const s = this.sectionForRva(rva);
    if (!s) return rva < this.data.length ? rva : undefined;
    return rva - s.vaAdj + s.rawAdj;
  }

  /**
   * Up to `length` bytes at an RVA, cut at the end of the section's raw data (pefile's get_data);
   * empty when the RVA maps nowhere.
   */
  bytesAtRva(rva: number, length: number): Buffer {
    const s = this.sectionForRva(rva);
    if (!s) return rva < this.data.length ? this.data.subarray(rva, Math.min(this.data.length, rva + length)) : Buffer.alloc(0);
    const start = rva - s.vaAdj + s.rawAdj;
    const end = Math.min(start + length, s.rawPointer + s.rawSize, this.data.length);
    return start < end ? this.data.subarray(start, end) : Buffer.alloc(0);
  }

  u32AtRva(rva: number): number | undefined {
    const b = this.bytesAtRva(rva, 4);
    return b.length === 4 ? b.readUInt32LE(0) : undefined;
  }

  /** A NUL-terminated string at an RVA, at most `maxBytes` long (latin1), or undefined when unmapped. */
  stringAtRva(rva: number, maxBytes: number): string | undefined {
    const bytes = this.bytesAtRva(rva, maxBytes);
    if (bytes.length === 0) return undefined;
    const nul = bytes.indexOf(0);
    return bytes.subarray(0, nul === -1 ? bytes.length : nul).toString('latin1');
  }

  /** Section raw data as pefile's get_data() returns it. */
  sectionData(s: SectionHeader): Buffer {
    const start = s.rawAdj;
    const end = Math.min(start + s.rawSize, s.rawPointer + s.rawSize, this.data.length);
    return start < end ? this.data.subarray(start, end) : Buffer.alloc(0);
  }
}
