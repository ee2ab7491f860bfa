/**
 * ELF parsing into VirusTotal's `elf_info` (header, sections, segments with their sections, dynamic
 * imports and exports, DT_NEEDED libraries, interpreter, build id), 32/64-bit, either byte order.
 */
// Hand-written: the npm ELF readers are unmaintained or read the whole file and trust its counts.
// Attacker bytes: every count, size and string is bounded (ElfLimits), offsets are checked against
// the file, 64-bit values stay bigint until printed, and problems become `anomalies`, not throws.
import type { ByteReader } from './byte-reader.js';
import {
  FILE_TYPE, PIE_FILE_TYPE, machineName, osAbiName, sectionFlagLetters, sectionTypeName, segmentTypeName, symbolTypeName,
} from './elf-names.js';

export interface ElfLimits {
  maxSections: number;
  maxSegments: number;
  maxSymbols: number;
  maxDynamicEntries: number;
  /** Largest string table read (section names, dynamic strings). */
  maxStringTableBytes: number;
  maxNameBytes: number;
  maxNeeded: number;
}

export const DEFAULT_ELF_LIMITS: ElfLimits = {
  maxSections: 65_536,
  maxSegments: 65_536,
  maxSymbols: 500_000,
  maxDynamicEntries: 65_536,
  maxStringTableBytes: 32 * 1024 * 1024,
  maxNameBytes: 4096,
  maxNeeded: 1024,
};

export interface ElfHeader {
  class: string;
  data: string;
  hdr_version: string;
  os_abi: string;
  abi_version: number;
  type: string;
  machine: string;
  obj_version: string;
  entrypoint: number;
  num_prog_headers: number;
  num_section_headers: number;
  flags: string;
}

export interface ElfSection {
  name: string;
  section_type: string;
  virtual_address: number;
  physical_offset: number;
  size: number;
  flags: string;
}

export interface ElfSegment {
  segment_type: string;
  resources: string[];
}

export interface ElfSymbolEntry {
  name: string;
  type: string;
}

export interface ElfInfo {
  header: ElfHeader;
  section_list: ElfSection[];
  segment_list: ElfSegment[];
  shared_libraries: string[];
  import_list: ElfSymbolEntry[];
  export_list: ElfSymbolEntry[];
  interp?: string;
  build_id?: string;
}

export interface RawSection {
  index: number;
  name: string;
  /** sh_name: offset of the name in the section name table. */
  nameOffset: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  entsize: bigint;
}

export interface RawSegment {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
}

export interface RawSymbol {
  name: string;
  type: number;
  bind: number;
  shndx: number;
  value: bigint;
}

export interface ParsedElf {
  info: ElfInfo;
  is64: boolean;
  littleEndian: boolean;
  machine: number;
  sections: RawSection[];
  segments: RawSegment[];
  dynamicSymbols: RawSymbol[];
  /** What was out of range, truncated or capped; hostile files produce these instead of errors. */
  anomalies: string[];
  isPie: boolean;
  /** Where the program header table starts, and its entry size (packer checks look right after it). */
  phoff: number;
  phentsize: number;
}

const SHT_NOBITS = 8;
const SHT_DYNAMIC = 6;
const SHT_DYNSYM = 11;
const SHT_NOTE = 7;
const SHF_ALLOC = 0x2n;
const SHF_TLS = 0x400n;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_NOTE = 4;
const PT_PHDR = 6;
const PT_TLS = 7;
const PT_GNU_EH_FRAME = 0x6474e550;
const PT_GNU_STACK = 0x6474e551;
const PT_GNU_RELRO = 0x6474e552;
const PT_GNU_SFRAME = 0x6474e554;
const PT_GNU_MBIND_LO = 0x6474e555;
const PT_GNU_MBIND_HI = PT_GNU_MBIND_LO + 0xfff;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_HASH = 4n;
const DT_STRTAB = 5n;
const DT_SYMTAB = 6n;
const DT_STRSZ = 10n;
const DT_GNU_HASH = 0x6ffffef5n;
const DT_FLAGS_1 = 0x6ffffffbn;
const DF_1_PIE = 0x08000000n;
const U64 = (1n << 64n) - 1n;

/** Returns undefined when the bytes do not start with the ELF magic. */
export async function parseElf(reader: ByteReader, limits: ElfLimits = DEFAULT_ELF_LIMITS): Promise<ParsedElf | undefined> {
  const ident = await reader.read(0, 64);
  if (ident.length < 16 || ident.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const anomalies: string[] = [];
  const elfClass = ident[4]!;
  const elfData = ident[5]!;
  const is64 = elfClass === 2;
  if (elfClass !== 1 && elfClass !== 2) anomalies.push(`unknown ELF class ${elfClass}; read as 32-bit`);
  const littleEndian = elfData !== 2;
  if (elfData !== 1 && elfData !== 2) anomalies.push(`unknown data encoding ${elfData}; read as little endian`);
  const ehSize = is64 ? 64 : 52;
  const r = new FieldReader(littleEndian, is64);
  if (ident.length < ehSize) {
    anomalies.push('truncated ELF header');
    const padded = Buffer.alloc(ehSize);
    ident.copy(padded);
    return finishHeaderOnly(padded, r, anomalies);
  }
  const eh = readElfHeader(ident, r);

  // Section 0 carries the real counts when they do not fit the header (extended numbering).
  let shnum = eh.shnum;
  let shstrndx = eh.shstrndx;
  let phnum = eh.phnum;
  const shentOk = eh.shentsize === (is64 ? 64 : 40);
  if (eh.shoff !== 0n && !shentOk && (eh.shnum !== 0 || eh.shentsize !== 0)) anomalies.push(`unexpected e_shentsize ${eh.shentsize}`);
  if (eh.shoff !== 0n && shentOk) {
    const first = await reader.read(safeOffset(eh.shoff), eh.shentsize);
    if (first.length === eh.shentsize) {
      const s0 = readSectionHeader(first, 0, r);
      if (shnum === 0) shnum = Number(s0.size > 0xffffffffn ? 0xffffffffn : s0.size);
      if (shstrndx === 0xffff) shstrndx = s0.link;
      if (phnum === 0xffff && s0.info !== 0) phnum = s0.info;
    }
  }

  const sections = shentOk && eh.shoff !== 0n ? await readSections(reader, eh.shoff, shnum, eh.shentsize, r, limits, anomalies) : [];
  if (sections.length > 0) await nameSections(reader, sections, shstrndx, limits, anomalies);
  const phentOk = eh.phentsize === (is64 ? 56 : 32);
  if (eh.phoff !== 0n && phnum > 0 && !phentOk) anomalies.push(`unexpected e_phentsize ${eh.phentsize}`);
  const segments = phentOk && eh.phoff !== 0n ? await readSegments(reader, eh.phoff, phnum, eh.phentsize, r, limits, anomalies) : [];

  const dynamic = await readDynamic(reader, sections, segments, r, limits, anomalies);
  const dynStrings = await dynamicStringTable(reader, sections, segments, dynamic, limits, anomalies);
  const needed: string[] = [];
  let flags1 = 0n;
  for (const [tag, value] of dynamic) {
    if (tag === DT_NEEDED && dynStrings && needed.length < limits.maxNeeded) needed.push(cString(dynStrings, value, limits.maxNameBytes));
    if (tag === DT_FLAGS_1) flags1 = value;
  }
  const isPie = eh.type === 3 && (flags1 & DF_1_PIE) !== 0n;
  const dynamicSymbols = await readDynamicSymbols(reader, sections, segments, dynamic, dynStrings, r, limits, anomalies);
  const interp = await readInterp(reader, segments, limits);
  const buildId = await readBuildId(reader, sections, segments, r);

  const info: ElfInfo = {
    header: headerInfo(eh, ident, isPie, segments.length, sections.length),
    section_list: sections.map((s) => ({
      name: s.name,
      section_type: sectionTypeName(s.type, eh.machine),
      virtual_address: toNumber(s.addr),
      physical_offset: toNumber(s.offset),
      size: toNumber(s.size),
      flags: sectionFlagLetters(s.flags, eh.machine, ident[7]!),
    })),
    segment_list: segments.map((seg) => ({
      segment_type: segmentTypeName(seg.type, eh.machine),
      resources: sections.filter((s) => s.index !== 0 && sectionInSegment(s, seg)).map((s) => s.name),
    })),
    shared_libraries: needed,
    import_list: dynamicSymbols.filter(isImport).map(symbolEntry),
    export_list: dynamicSymbols.filter(isExport).map(symbolEntry),
  };
  if (interp !== undefined) info.interp = interp;
  if (buildId !== undefined) info.build_id = buildId;
  return { info, is64, littleEndian, machine: eh.machine, sections, segments, dynamicSymbols, anomalies, isPie, phoff: safeOffset(eh.phoff), phentsize: eh.phentsize };
}

const symbolEntry = (s: RawSymbol): ElfSymbolEntry => ({ name: s.name, type: symbolTypeName(s.type) });
const isImport = (s: RawSymbol) => s.shndx === 0 && s.name !== '';
/** Defined global, weak or GNU-unique symbols, as the dynamic linker would offer them. */
const isExport = (s: RawSymbol) => s.shndx !== 0 && s.name !== '' && (s.bind === 1 || s.bind === 2 || s.bind === 10) && s.type !== 3 && s.type !== 4;

/** JSON has no 64-bit integers; values past 2^53 (kernel addresses) lose precision, as in VT's own JSON. */
function toNumber(v: bigint): number {
  return Number(v);
}

function safeOffset(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

class FieldReader {
  constructor(readonly le: boolean, readonly is64: boolean) {}
  u8(b: Buffer, o: number): number { return b[o] ?? 0; }
  u16(b: Buffer, o: number): number { return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o); }
  u32(b: Buffer, o: number): number { return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o); }
  u64(b: Buffer, o: number): bigint { return this.le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o); }
  /** A 32- or 64-bit address/offset field; returns the value and the next offset. */
  word(b: Buffer, o: number): [bigint, number] {
    return this.is64 ? [this.u64(b, o), o + 8] : [BigInt(this.u32(b, o)), o + 4];
  }
  /** d_tag is signed; the tags we look at are small positives or 0x6fff.... values. */
  sword(b: Buffer, o: number): [bigint, number] {
    return this.is64 ? [BigInt.asIntN(64, this.u64(b, o)), o + 8] : [BigInt(b[this.le ? 'readInt32LE' : 'readInt32BE'](o)), o + 4];
  }
}

interface RawElfHeader {
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  phoff: bigint;
  shoff: bigint;
  flags: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

function readElfHeader(b: Buffer, r: FieldReader): RawElfHeader {
  const type = r.u16(b, 16);
  const machine = r.u16(b, 18);
  const version = r.u32(b, 20);
  let o = 24;
  let entry: bigint, phoff: bigint, shoff: bigint;
  [entry, o] = r.word(b, o);
  [phoff, o] = r.word(b, o);
  [shoff, o] = r.word(b, o);
  const flags = r.u32(b, o);
  o += 4 + 2; // e_flags, e_ehsize
  return {
    type, machine, version, entry, phoff, shoff, flags,
    phentsize: r.u16(b, o), phnum: r.u16(b, o + 2), shentsize: r.u16(b, o + 4), shnum: r.u16(b, o + 6), shstrndx: r.u16(b, o + 8),
  };
}

function headerInfo(eh: RawElfHeader, ident: Buffer, isPie: boolean, phnum: number, shnum: number): ElfHeader {
  const identVersion = ident[6]!;
  return {
    class: ident[4] === 2 ? 'ELF64' : ident[4] === 1 ? 'ELF32' : `<unknown: ${ident[4]!.toString(16)}>`,
    data: ident[5] === 2 ? "2's complement, big endian" : ident[5] === 1 ? "2's complement, little endian" : `<unknown: ${ident[5]!.toString(16)}>`,
    hdr_version: identVersion === 1 ? '1 (current)' : `${identVersion} <unknown>`,
    os_abi: osAbiName(ident[7]!),
    abi_version: ident[8]!,
    type: isPie ? PIE_FILE_TYPE : (FILE_TYPE[eh.type] ?? `<unknown>: ${eh.type.toString(16)}`),
    machine: machineName(eh.machine),
    obj_version: `0x${eh.version.toString(16)}`,
    entrypoint: toNumber(eh.entry),
    num_prog_headers: phnum,
    num_section_headers: shnum,
    flags: `0x${eh.flags.toString(16)}`,
  };
}

function finishHeaderOnly(padded: Buffer, r: FieldReader, anomalies: string[]): ParsedElf {
  const eh = readElfHeader(padded, r);
  const info: ElfInfo = {
    header: headerInfo(eh, padded, false, 0, 0),
    section_list: [], segment_list: [], shared_libraries: [], import_list: [], export_list: [],
  };
  return { info, is64: r.is64, littleEndian: r.le, machine: eh.machine, sections: [], segments: [], dynamicSymbols: [], anomalies, isPie: false, phoff: 0, phentsize: 0 };
}

function readSectionHeader(b: Buffer, index: number, r: FieldReader): RawSection {
  const nameOff = r.u32(b, 0);
  const type = r.u32(b, 4);
  let o = 8;
  let flags: bigint, addr: bigint, offset: bigint, size: bigint, entsize: bigint;
  [flags, o] = r.word(b, o);
  [addr, o] = r.word(b, o);
  [offset, o] = r.word(b, o);
  [size, o] = r.word(b, o);
  const link = r.u32(b, o);
  const info = r.u32(b, o + 4);
  o += 8;
  [, o] = r.word(b, o); // sh_addralign
  [entsize] = r.word(b, o);
  return { index, name: '', nameOffset: nameOff, type, flags, addr, offset, size, link, info, entsize };
}

async function readSections(
  reader: ByteReader, shoff: bigint, count: number, entsize: number, r: FieldReader, limits: ElfLimits, anomalies: string[],
): Promise<RawSection[]> {
  let n = count;
  if (n > limits.maxSections) {
    anomalies.push(`section count ${count} capped at ${limits.maxSections}`);
    n = limits.maxSections;
  }
  const table = await reader.read(safeOffset(shoff), n * entsize);
  const whole = Math.floor(table.length / entsize);
  if (whole < n) anomalies.push(`section header table truncated: ${whole} of ${count} headers in the file`);
  const out: RawSection[] = [];
  for (let i = 0; i < whole; i++) out.push(readSectionHeader(table.subarray(i * entsize, (i + 1) * entsize), i, r));
  return out;
}

async function nameSections(reader: ByteReader, sections: RawSection[], shstrndx: number, limits: ElfLimits, anomalies: string[]): Promise<void> {
  const strtab = sections[shstrndx];
  if (shstrndx === 0 || !strtab) {
    if (shstrndx !== 0) anomalies.push(`section name table index ${shstrndx} out of range`);
    return;
  }
  const names = await readTable(reader, strtab.offset, strtab.size, limits.maxStringTableBytes, 'section name table', anomalies);
  for (const s of sections) {
    s.name = s.nameOffset < names.length ? cString(names, BigInt(s.nameOffset), limits.maxNameBytes) : '';
  }
}

async function readTable(reader: ByteReader, offset: bigint, size: bigint, cap: number, what: string, anomalies: string[]): Promise<Buffer> {
  if (offset >= BigInt(reader.size)) {
    if (size !== 0n) anomalies.push(`${what} starts outside the file`);
    return Buffer.alloc(0);
  }
  let want = size > BigInt(cap) ? cap : Number(size);
  if (size > BigInt(cap)) anomalies.push(`${what} of ${size} bytes capped at ${cap}`);
  want = Math.min(want, reader.size - Number(offset));
  return reader.read(Number(offset), want);
}

function cString(buf: Buffer, offset: bigint, maxBytes: number): string {
  if (offset < 0n || offset >= BigInt(buf.length)) return '';
  const start = Number(offset);
  const limit = Math.min(buf.length, start + maxBytes);
  let end = buf.indexOf(0, start);
  if (end < 0 || end > limit) end = limit;
  return buf.toString('latin1', start, end);
}

async function readSegments(
  reader: ByteReader, phoff: bigint, count: number, entsize: number, r: FieldReader, limits: ElfLimits, anomalies: string[],
): Promise<RawSegment[]> {
  let n = count;
  if (n > limits.maxSegments) {
    anomalies.push(`segment count ${count} capped at ${limits.maxSegments}`);
    n = limits.maxSegments;
  }
  const table = await reader.read(safeOffset(phoff), n * entsize);
  const whole = Math.floor(table.length / entsize);
  if (whole < n) anomalies.push(`program header table truncated: ${whole} of ${count} headers in the file`);
  const out: RawSegment[] = [];
  for (let i = 0; i < whole; i++) {
    const b = table.subarray(i * entsize, (i + 1) * entsize);
    const type = r.u32(b, 0);
    if (r.is64) {
      out.push({ type, flags: r.u32(b, 4), offset: r.u64(b, 8), vaddr: r.u64(b, 16), filesz: r.u64(b, 32), memsz: r.u64(b, 40) });
    } else {
      out.push({ type, offset: BigInt(r.u32(b, 4)), vaddr: BigInt(r.u32(b, 8)), filesz: BigInt(r.u32(b, 16)), memsz: BigInt(r.u32(b, 20)), flags: r.u32(b, 24) });
    }
  }
  return out;
}

const sub = (a: bigint, b: bigint) => (a - b) & U64;

/**
 * Whether a section belongs to a segment, by the rule readelf's "Section to Segment mapping" uses
 * (binutils' strict ELF_SECTION_IN_SEGMENT, with VMA checks), in unsigned 64-bit arithmetic.
 */
export function sectionInSegment(s: RawSection, p: RawSegment): boolean {
  const tls = (s.flags & SHF_TLS) !== 0n;
  const alloc = (s.flags & SHF_ALLOC) !== 0n;
  // .tbss occupies no memory outside the TLS segment.
  if (tls && s.type === SHT_NOBITS && p.type !== PT_TLS) return false;
  const tlsOk = tls ? p.type === PT_TLS || p.type === PT_GNU_RELRO || p.type === PT_LOAD : p.type !== PT_TLS && p.type !== PT_PHDR;
  if (!tlsOk) return false;
  const allocOnly = p.type === PT_LOAD || p.type === PT_DYNAMIC || p.type === PT_GNU_EH_FRAME || p.type === PT_GNU_STACK
    || p.type === PT_GNU_RELRO || p.type === PT_GNU_SFRAME || (p.type >= PT_GNU_MBIND_LO && p.type <= PT_GNU_MBIND_HI);
  if (!alloc && allocOnly) return false;
  const size = !tls || s.type !== SHT_NOBITS || p.type === PT_TLS ? s.size : 0n;
  if (s.type !== SHT_NOBITS) {
    if (s.offset < p.offset) return false;
    if (sub(s.offset, p.offset) > sub(p.filesz, 1n)) return false;
    if (((sub(s.offset, p.offset) + size) & U64) > p.filesz) return false;
  }
  if (alloc) {
    if (s.addr < p.vaddr) return false;
    if (sub(s.addr, p.vaddr) > sub(p.memsz, 1n)) return false;
    if (((sub(s.addr, p.vaddr) + size) & U64) > p.memsz) return false;
  }
  // No empty sections at the very start or end of PT_DYNAMIC or PT_NOTE.
  if ((p.type === PT_DYNAMIC || p.type === PT_NOTE) && s.size === 0n && p.memsz !== 0n) {
    const inFile = s.type === SHT_NOBITS || (s.offset > p.offset && sub(s.offset, p.offset) < p.filesz);
    const inMem = !alloc || (s.addr > p.vaddr && sub(s.addr, p.vaddr) < p.memsz);
    if (!(inFile && inMem)) return false;
  }
  return true;
}

/** File offset of a virtual address, through the PT_LOAD segments (as the dynamic linker maps them). */
function offsetOfVma(segments: RawSegment[], vma: bigint, size: bigint): bigint | undefined {
  for (const p of segments) {
    if (p.type !== PT_LOAD) continue;
    if (vma >= p.vaddr && vma - p.vaddr + size <= p.filesz) return p.offset + (vma - p.vaddr);
  }
  return undefined;
}

async function readDynamic(
  reader: ByteReader, sections: RawSection[], segments: RawSegment[], r: FieldReader, limits: ElfLimits, anomalies: string[],
): Promise<Array<[bigint, bigint]>> {
  const seg = segments.find((p) => p.type === PT_DYNAMIC);
  const sec = sections.find((s) => s.type === SHT_DYNAMIC);
  const where = seg ? { offset: seg.offset, size: seg.filesz } : sec ? { offset: sec.offset, size: sec.size } : undefined;
  if (!where) return [];
  const entsize = r.is64 ? 16 : 8;
  const bytes = await readTable(reader, where.offset, where.size, limits.maxDynamicEntries * entsize, 'dynamic section', anomalies);
  const out: Array<[bigint, bigint]> = [];
  for (let o = 0; o + entsize <= bytes.length; o += entsize) {
    const [tag, next] = r.sword(bytes, o);
    const [value] = r.word(bytes, next);
    if (tag === DT_NULL) break;
    out.push([tag, value]);
  }
  return out;
}

function dynValue(dynamic: Array<[bigint, bigint]>, tag: bigint): bigint | undefined {
  return dynamic.find(([t]) => t === tag)?.[1];
}

async function dynamicStringTable(
  reader: ByteReader, sections: RawSection[], segments: RawSegment[], dynamic: Array<[bigint, bigint]>, limits: ElfLimits, anomalies: string[],
): Promise<Buffer | undefined> {
  const addr = dynValue(dynamic, DT_STRTAB);
  const size = dynValue(dynamic, DT_STRSZ);
  if (addr !== undefined && size !== undefined) {
    const off = offsetOfVma(segments, addr, size > BigInt(limits.maxStringTableBytes) ? 1n : size);
    if (off !== undefined) return readTable(reader, off, size, limits.maxStringTableBytes, 'dynamic string table', anomalies);
  }
  // Without program headers (relocatable or damaged files), the section the .dynamic section links to.
  const dyn = sections.find((s) => s.type === SHT_DYNAMIC);
  const linked = dyn ? sections[dyn.link] : undefined;
  if (linked && linked.index !== 0) return readTable(reader, linked.offset, linked.size, limits.maxStringTableBytes, 'dynamic string table', anomalies);
  if (dynamic.length > 0) anomalies.push('dynamic string table not found');
  return undefined;
}

async function readDynamicSymbols(
  reader: ByteReader, sections: RawSection[], segments: RawSegment[], dynamic: Array<[bigint, bigint]>, dynStrings: Buffer | undefined,
  r: FieldReader, limits: ElfLimits, anomalies: string[],
): Promise<RawSymbol[]> {
  const entsize = r.is64 ? 24 : 16;
  let table: Buffer;
  let strings = dynStrings;
  const sec = sections.find((s) => s.type === SHT_DYNSYM);
  if (sec) {
    table = await readTable(reader, sec.offset, sec.size, limits.maxSymbols * entsize, 'dynamic symbol table', anomalies);
    const linked = sections[sec.link];
    if (linked && linked.index !== 0) strings = await readTable(reader, linked.offset, linked.size, limits.maxStringTableBytes, 'dynamic string table', anomalies);
  } else {
    // Section headers stripped (sstrip, packers): find the table through the dynamic segment.
    const addr = dynValue(dynamic, DT_SYMTAB);
    if (addr === undefined) return [];
    const count = await dynamicSymbolCount(reader, segments, dynamic, r, limits);
    if (count === undefined) {
      anomalies.push('dynamic symbol count unknown (no DT_HASH or DT_GNU_HASH)');
      return [];
    }
    const off = offsetOfVma(segments, addr, 1n);
    if (off === undefined) return [];
    table = await readTable(reader, off, BigInt(count * entsize), limits.maxSymbols * entsize, 'dynamic symbol table', anomalies);
  }
  const out: RawSymbol[] = [];
  for (let o = 0; o + entsize <= table.length; o += entsize) {
    if (o === 0) continue; // the null symbol
    const nameOff = r.u32(table, o);
    const [info, shndx, value] = r.is64
      ? [r.u8(table, o + 4), r.u16(table, o + 6), r.u64(table, o + 8)]
      : [r.u8(table, o + 12), r.u16(table, o + 14), BigInt(r.u32(table, o + 4))];
    out.push({ name: strings ? cString(strings, BigInt(nameOff), limits.maxNameBytes) : '', type: info & 0xf, bind: info >> 4, shndx, value });
  }
  return out;
}

/** Number of dynamic symbols from DT_HASH's nchain, or by walking DT_GNU_HASH's last chain. */
async function dynamicSymbolCount(
  reader: ByteReader, segments: RawSegment[], dynamic: Array<[bigint, bigint]>, r: FieldReader, limits: ElfLimits,
): Promise<number | undefined> {
  const hash = dynValue(dynamic, DT_HASH);
  if (hash !== undefined) {
    const off = offsetOfVma(segments, hash, 8n);
    if (off === undefined) return undefined;
    const head = await reader.read(safeOffset(off), 8);
    if (head.length < 8) return undefined;
    return Math.min(r.u32(head, 4), limits.maxSymbols);
  }
  const gnu = dynValue(dynamic, DT_GNU_HASH);
  if (gnu === undefined) return undefined;
  const off = offsetOfVma(segments, gnu, 16n);
  if (off === undefined) return undefined;
  const head = await reader.read(safeOffset(off), 16);
  if (head.length < 16) return undefined;
  const nbuckets = r.u32(head, 0);
  const symoffset = r.u32(head, 4);
  const bloomSize = r.u32(head, 8);
  if (nbuckets === 0 || nbuckets > limits.maxSymbols || bloomSize > limits.maxSymbols) return undefined;
  const bucketsAt = off + 16n + BigInt(bloomSize * (r.is64 ? 8 : 4));
  const buckets = await reader.read(safeOffset(bucketsAt), nbuckets * 4);
  if (buckets.length < nbuckets * 4) return undefined;
  let last = 0;
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, r.u32(buckets, i * 4));
  if (last < symoffset) return symoffset;
  const chainsAt = bucketsAt + BigInt(nbuckets * 4);
  // Walk the chain holding the highest symbol until its end marker (low bit set), bounded.
  let index = last;
  while (index - symoffset < limits.maxSymbols) {
    const word = await reader.read(safeOffset(chainsAt + BigInt((index - symoffset) * 4)), 4);
    if (word.length < 4) return index;
    if ((r.u32(word, 0) & 1) === 1) return index + 1;
    index++;
  }
  return limits.maxSymbols;
}

async function readInterp(reader: ByteReader, segments: RawSegment[], limits: ElfLimits): Promise<string | undefined> {
  const seg = segments.find((p) => p.type === PT_INTERP);
  if (!seg || seg.offset >= BigInt(reader.size)) return undefined;
  const bytes = await reader.read(Number(seg.offset), Math.min(Number(seg.filesz > 4096n ? 4096n : seg.filesz), limits.maxNameBytes));
  return cString(bytes, 0n, limits.maxNameBytes);
}

/** The GNU build-id note (NT_GNU_BUILD_ID), from a NOTE section or, without sections, a PT_NOTE segment. */
async function readBuildId(reader: ByteReader, sections: RawSection[], segments: RawSegment[], r: FieldReader): Promise<string | undefined> {
  const places = [
    ...sections.filter((s) => s.type === SHT_NOTE).map((s) => ({ offset: s.offset, size: s.size })),
    ...segments.filter((p) => p.type === PT_NOTE).map((p) => ({ offset: p.offset, size: p.filesz })),
  ].slice(0, 64);
  for (const place of places) {
    if (place.offset >= BigInt(reader.size)) continue;
    const notes = await reader.read(Number(place.offset), Number(place.size > 65536n ? 65536n : place.size));
    let o = 0;
    while (o + 12 <= notes.length) {
      const namesz = r.u32(notes, o);
      const descsz = r.u32(notes, o + 4);
      const type = r.u32(notes, o + 8);
      const nameAt = o + 12;
      const descAt = nameAt + align4(namesz);
      if (descAt + descsz > notes.length) break;
      if (type === 3 && namesz === 4 && notes.toString('latin1', nameAt, nameAt + 3) === 'GNU' && descsz > 0 && descsz <= 64) {
        return notes.toString('hex', descAt, descAt + descsz);
      }
      o = descAt + align4(descsz);
    }
  }
  return undefined;
}

/** Arithmetic, not `& ~3`: note sizes are 32-bit and a bitwise rounding of one near 2^32 turns negative. */
const align4 = (n: number) => Math.ceil(n / 4) * 4;
