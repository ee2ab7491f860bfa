/** The ELF analyzer: VirusTotal's elf_info, packers (UPX) and ELF tags. */
export { createElfAnalyzer, ELF_OUTPUT_CAPS, PACKER_TOOL, type ElfAnalyzerOptions } from './elf-analyzer.js';
export { parseElf, DEFAULT_ELF_LIMITS, type ElfInfo, type ElfLimits, type ParsedElf } from './elf-parser.js';
export { bufferReader, fileReader, type ByteReader } from './byte-reader.js';
