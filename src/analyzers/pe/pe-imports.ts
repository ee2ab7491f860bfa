/**
 * The import directory: VirusTotal's `import_list` and the imphash (Mandiant's, as pefile's
 * get_imphash computes it). The walk keeps pefile's rules for damaged tables (an empty or
 * unreadable thunk table drops the DLL, invalid names are skipped) so the hash is the same.
 */
import { createHash } from 'node:crypto';
import { ordinalName } from './ordinal-names.js';
import { DIR, type PeImage } from './pe-image.js';
import type { Budget } from './pe-limits.js';

export interface ImportedLibrary {
  library_name: string;
  imported_functions: string[];
}

export interface ImportsResult {
  importList: ImportedLibrary[];
  imphash: string;
  /** Every imported function name, for packer and tag rules. */
  functionNames: Set<string>;
}

interface ImportedSymbol {
  name?: string;
  ordinal?: number;
}

const DESCRIPTOR_SIZE = 20;
/** pefile's limits: identical cut-offs give identical hashes on hostile files. */
const MAX_REPEATED_ADDRESSES = 15;
const MAX_NAME_BYTES = 0x200;
const DOS_FILENAME = /^[A-Za-z0-9!#$%&'()\-@^_`{}~+,.;=[\]\\/]*$/;
const FUNCTION_NAME = /^[A-Za-z0-9._?@$()<>]*$/;

export function parseImports(pe: PeImage, budget: Budget): ImportsResult {
  const dir = pe.directory(DIR.IMPORT);
  const libraries: { dll: string; symbols: ImportedSymbol[] }[] = [];
  const state = { totalSymbols: 0 };
  if (dir.rva !== 0) {
    let rva = dir.rva;
    let errors = 0;
    for (let n = 0; n < budget.limits.maxImportDlls; n++) {
      budget.check('imports');
      const desc = pe.bytesAtRva(rva, DESCRIPTOR_SIZE);
      if (desc.length < DESCRIPTOR_SIZE || desc.every((b) => b === 0)) break;
      const originalFirstThunk = desc.readUInt32LE(0);
      const nameRva = desc.readUInt32LE(12);
      const firstThunk = desc.readUInt32LE(16);
      rva += DESCRIPTOR_SIZE;
      const symbols = readSymbols(pe, originalFirstThunk, firstThunk, budget, state);
      if (errors > 5) break;
      if (symbols.length === 0) {
        errors++;
        continue;
      }
      let dll = pe.stringAtRva(nameRva, MAX_NAME_BYTES);
      if (dll === undefined || !DOS_FILENAME.test(dll)) dll = '*invalid*';
      if (dll === '') continue;
      for (const s of symbols) if (s.name === undefined && s.ordinal !== undefined) s.name = ordinalName(dll, s.ordinal);
      libraries.push({ dll, symbols });
    }
  }
  return summarise(libraries);
}

function summarise(libraries: { dll: string; symbols: ImportedSymbol[] }[]): ImportsResult {
  const parts: string[] = [];
  const functionNames = new Set<string>();
  const importList: ImportedLibrary[] = [];
  for (const { dll, symbols } of libraries) {
    let lib = dll.toLowerCase();
    const dot = lib.lastIndexOf('.');
    if (dot !== -1 && ['ocx', 'sys', 'dll'].includes(lib.slice(dot + 1))) lib = lib.slice(0, dot);
    const names: string[] = [];
    for (const s of symbols) {
      const name = s.name ?? `ord${s.ordinal}`;
      if (name === '') continue;
      names.push(name);
      functionNames.add(name);
      parts.push(`${lib}.${name.toLowerCase()}`);
    }
    importList.push({ library_name: dll, imported_functions: names });
  }
  const imphash = libraries.length === 0 ? '' : createHash('md5').update(parts.join(','), 'latin1').digest('hex');
  return { importList, imphash, functionNames };
}

function readSymbols(pe: PeImage, oft: number, ft: number, budget: Budget, state: { totalSymbols: number }): ImportedSymbol[] {
  const ilt = readThunks(pe, oft, budget, state);
  const iat = readThunks(pe, ft, budget, state);
  const table = ilt && ilt.length > 0 ? ilt : iat && iat.length > 0 ? iat : undefined;
  if (!table) return [];
  const ordinalFlag = pe.is64 ? 1n << 63n : 0x80000000n;
  const symbols: ImportedSymbol[] = [];
  for (const entry of table) {
    if (entry === 0n) continue;
    if (entry & ordinalFlag) {
      const ordinal = Number(entry & 0xffffn);
      if (ordinal !== 0) symbols.push({ ordinal });
      continue;
    }
    const hintRva = Number(entry & (pe.is64 ? 0x7fffffffffffffffn : 0x7fffffffn));
    if (pe.bytesAtRva(hintRva, 2).length === 0) continue;
    const name = pe.stringAtRva(hintRva + 2, MAX_NAME_BYTES);
    // pefile gives up on the whole DLL when neither a name nor an ordinal can be read.
    if (name === undefined) return symbols;
    if (!FUNCTION_NAME.test(name)) continue;
    if (name !== '') symbols.push({ name });
  }
  return symbols;
}

/** One thunk array, as pefile's get_import_table reads it; undefined when it cannot be read at all. */
function readThunks(pe: PeImage, startRva: number, budget: Budget, state: { totalSymbols: number }): bigint[] | undefined {
  const size = pe.is64 ? 8 : 4;
  const entries: bigint[] = [];
  const seen = new Set<bigint>();
  let repeated = 0;
  for (let rva = startRva; rva !== 0; rva += size) {
    if (state.totalSymbols > budget.limits.maxImportFunctions) break;
    state.totalSymbols++;
    if (repeated >= MAX_REPEATED_ADDRESSES) return [];
    const bytes = pe.bytesAtRva(rva, size);
    if (bytes.length !== size) return undefined;
    const value = pe.is64 ? bytes.readBigUInt64LE(0) : BigInt(bytes.readUInt32LE(0));
    if (value >= BigInt(startRva) && value <= BigInt(rva)) break;
    if (value === 0n) break;
    const ordinalFlag = pe.is64 ? 1n << 63n : 0x80000000n;
    if (value & ordinalFlag) {
      if ((value & 0x7fffffffn) > 0xffffn) return [];
    } else {
      if (seen.has(value)) repeated++;
      seen.add(value);
    }
    entries.push(value);
  }
  return entries;
}
