/** ELF numbers to the words VirusTotal's `elf_info` shows, which are GNU readelf's (binutils 2.40) words. */
// Data only, written from the ELF gABI and the readelf output VT copies; tests compare with readelf.

export const OS_ABI: Readonly<Record<number, string>> = {
  0: 'UNIX - System V', 1: 'UNIX - HP-UX', 2: 'UNIX - NetBSD', 3: 'UNIX - GNU', 6: 'UNIX - Solaris',
  7: 'UNIX - AIX', 8: 'UNIX - IRIX', 9: 'UNIX - FreeBSD', 10: 'UNIX - TRU64', 11: 'Novell - Modesto',
  12: 'UNIX - OpenBSD', 13: 'VMS - OpenVMS', 14: 'HP - Non-Stop Kernel', 15: 'AROS', 16: 'FenixOS',
  17: 'Nuxi CloudABI', 18: 'Stratus Technologies OpenVOS',
};

export const FILE_TYPE: Readonly<Record<number, string>> = {
  0: 'NONE (None)', 1: 'REL (Relocatable file)', 2: 'EXEC (Executable file)', 3: 'DYN (Shared object file)', 4: 'CORE (Core file)',
};
export const PIE_FILE_TYPE = 'DYN (Position-Independent Executable file)';

export const MACHINE: Readonly<Record<number, string>> = {
  0: 'None', 2: 'Sparc', 3: 'Intel 80386', 4: 'MC68000', 5: 'MC88000', 6: 'Intel MCU', 7: 'Intel 80860',
  8: 'MIPS R3000', 9: 'IBM System/370', 10: 'MIPS R4000 big-endian', 15: 'HPPA', 18: 'Sparc v8+', 20: 'PowerPC',
  21: 'PowerPC64', 22: 'IBM S/390', 23: 'SPU', 40: 'ARM', 42: 'Renesas / SuperH SH', 43: 'Sparc v9', 50: 'Intel IA-64',
  62: 'Advanced Micro Devices X86-64', 183: 'AArch64', 243: 'RISC-V', 247: 'Linux BPF', 258: 'LoongArch', 0x9026: 'Alpha',
};

export const SECTION_TYPE: Readonly<Record<number, string>> = {
  0: 'NULL', 1: 'PROGBITS', 2: 'SYMTAB', 3: 'STRTAB', 4: 'RELA', 5: 'HASH', 6: 'DYNAMIC', 7: 'NOTE', 8: 'NOBITS',
  9: 'REL', 10: 'SHLIB', 11: 'DYNSYM', 14: 'INIT_ARRAY', 15: 'FINI_ARRAY', 16: 'PREINIT_ARRAY', 17: 'GROUP',
  18: 'SYMTAB SECTION INDICES', 19: 'RELR',
  0x6ffffff5: 'GNU_ATTRIBUTES', 0x6ffffff6: 'GNU_HASH', 0x6ffffff7: 'GNU_LIBLIST', 0x6ffffffd: 'VERDEF',
  0x6ffffffe: 'VERNEED', 0x6fffffff: 'VERSYM', 0x6fff4c00: 'LLVM_ODRTAB', 0x6fff4c01: 'LLVM_LINKER_OPTIONS',
  0x6fff4c02: 'LLVM_CALL_GRAPH_PROFILE', 0x6fff4c03: 'LLVM_ADDRSIG', 0x6fff4c04: 'LLVM_DEPENDENT_LIBRARIES',
  0x6fff4c05: 'LLVM_SYMPART', 0x6fff4c06: 'LLVM_PART_EHDR', 0x6fff4c07: 'LLVM_PART_PHDR',
  0x6fff4c08: 'LLVM_BB_ADDR_MAP_V0', 0x6fff4c09: 'LLVM_CALL_GRAPH_PROFILE', 0x6fff4c0a: 'LLVM_BB_ADDR_MAP',
};
/** Processor-specific section types readelf names, by e_machine. */
const SECTION_TYPE_BY_MACHINE: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  62: { 0x70000001: 'X86_64_UNWIND' },
  40: { 0x70000001: 'ARM_EXIDX', 0x70000002: 'ARM_PREEMPTMAP', 0x70000003: 'ARM_ATTRIBUTES', 0x70000004: 'ARM_DEBUGOVERLAY', 0x70000005: 'ARM_OVERLAYSECTION' },
  183: { 0x70000003: 'AARCH64_ATTRIBUTES' },
  243: { 0x70000003: 'RISCV_ATTRIBUTES' },
};

export const SEGMENT_TYPE: Readonly<Record<number, string>> = {
  0: 'NULL', 1: 'LOAD', 2: 'DYNAMIC', 3: 'INTERP', 4: 'NOTE', 5: 'SHLIB', 6: 'PHDR', 7: 'TLS',
  0x6474e550: 'GNU_EH_FRAME', 0x6474e551: 'GNU_STACK', 0x6474e552: 'GNU_RELRO', 0x6474e553: 'GNU_PROPERTY',
  0x6474e554: 'GNU_SFRAME', 0x65a3dbe6: 'OPENBSD_RANDOMIZE', 0x65a3dbe7: 'OPENBSD_WXNEEDED', 0x65a41be6: 'OPENBSD_BOOTDATA',
};
const SEGMENT_TYPE_BY_MACHINE: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  40: { 0x70000000: 'ARM_ARCHEXT', 0x70000001: 'EXIDX' },
  183: { 0x70000000: 'AARCH64_ARCHEXT', 0x70000002: 'AARCH64_MEMTAG_MTE' },
  243: { 0x70000003: 'RISCV_ATTRIBUTES' },
};

export const SYMBOL_TYPE: Readonly<Record<number, string>> = {
  0: 'NOTYPE', 1: 'OBJECT', 2: 'FUNC', 3: 'SECTION', 4: 'FILE', 5: 'COMMON', 6: 'TLS', 10: 'IFUNC',
};

const hex = (n: number) => `0x${n.toString(16)}`;

export function sectionTypeName(type: number, machine: number): string {
  const known = SECTION_TYPE_BY_MACHINE[machine]?.[type] ?? SECTION_TYPE[type];
  if (known) return known;
  // readelf's spelling of ranges it has no name for.
  if (type >= 0x70000000 && type <= 0x7fffffff) return `LOPROC+${hex(type - 0x70000000)}`;
  if (type >= 0x60000000 && type <= 0x6fffffff) return `LOOS+${hex(type - 0x60000000)}`;
  if (type >= 0x80000000 && type <= 0xffffffff) return `LOUSER+${hex(type - 0x80000000)}`;
  return `${type.toString(16).padStart(8, '0')}: <unknown>`;
}

export function segmentTypeName(type: number, machine: number): string {
  const known = SEGMENT_TYPE_BY_MACHINE[machine]?.[type] ?? SEGMENT_TYPE[type];
  if (known) return known;
  if (type >= 0x70000000 && type <= 0x7fffffff) return `LOPROC+${hex(type - 0x70000000)}`;
  if (type >= 0x60000000 && type <= 0x6fffffff) return `LOOS+${hex(type - 0x60000000)}`;
  return `<unknown>: ${type.toString(16)}`;
}

export function machineName(machine: number): string {
  return MACHINE[machine] ?? `<unknown>: ${hex(machine)}`;
}

export function osAbiName(osAbi: number): string {
  return OS_ABI[osAbi] ?? `<unknown: ${osAbi.toString(16)}>`;
}

export function symbolTypeName(type: number): string {
  return SYMBOL_TYPE[type] ?? `<unknown>: ${type}`;
}

/** readelf's one-letter section flag keys, lowest bit first, as it prints them with -W. */
export function sectionFlagLetters(flags: bigint, machine: number, osAbi: number): string {
  let out = '';
  let rest = flags;
  while (rest !== 0n) {
    const bit = rest & -rest;
    rest &= ~bit;
    out += flagLetter(bit, machine, osAbi);
  }
  return out;
}

function flagLetter(bit: bigint, machine: number, osAbi: number): string {
  // SHF_GNU_RETAIN and SHF_GNU_MBIND are GNU flags only under the GNU and FreeBSD OS/ABIs.
  const gnuFlags = osAbi === 3 || osAbi === 9;
  switch (bit) {
    case 0x1n: return 'W';
    case 0x2n: return 'A';
    case 0x4n: return 'X';
    case 0x10n: return 'M';
    case 0x20n: return 'S';
    case 0x40n: return 'I';
    case 0x80n: return 'L';
    case 0x100n: return 'O';
    case 0x200n: return 'G';
    case 0x400n: return 'T';
    case 0x800n: return 'C';
    case 0x80000000n: return 'E';
    default:
      if (machine === 62 && bit === 0x10000000n) return 'l';
      if (gnuFlags && bit === 0x200000n) return 'R';
      if (gnuFlags && bit === 0x01000000n) return 'D';
      if ((bit & 0x0ff00000n) !== 0n) return 'o';
      if ((bit & 0xf0000000n) !== 0n) return 'p';
      return 'x';
  }
}
