/** The export directory: exported names in name-table order (VirusTotal's `exports`), walked as pefile walks it. */
import { DIR, type PeImage } from './pe-image.js';
import type { Budget } from './pe-limits.js';

const MAX_NAME_BYTES = 0x200;
/** pefile's relaxed character set for exported names; a name outside it ends the walk. */
const EXPORT_NAME = /^[A-Za-z0-9!"#$%&'()*+,\-./:<>?[\\\]^_`{|}~@]*$/;
const MAX_REPEATS = 10;

export interface ExportsResult {
  names: string[];
  /** The DLL's own name from the export directory, when readable. */
  dllName?: string;
}

export function parseExports(pe: PeImage, budget: Budget): ExportsResult {
  const dir = pe.directory(DIR.EXPORT);
  if (dir.rva === 0) return { names: [] };
  const header = pe.bytesAtRva(dir.rva, 40);
  if (header.length < 40) return { names: [] };
  const nameRva = header.readUInt32LE(12);
  const numberOfFunctions = header.readUInt32LE(20);
  const numberOfNames = header.readUInt32LE(24);
  const addressOfFunctions = header.readUInt32LE(28);
  const addressOfNames = header.readUInt32LE(32);
  const addressOfNameOrdinals = header.readUInt32LE(36);

  const untilEof = (rva: number): number => Math.max(0, pe.data.length - (pe.offsetOfRva(rva) ?? pe.data.length));
  const limit = budget.limits.maxExports;
  const names = pe.bytesAtRva(addressOfNames, Math.min(untilEof(addressOfNames), Math.min(numberOfNames, limit) * 4));
  const ordinals = pe.bytesAtRva(addressOfNameOrdinals, Math.min(untilEof(addressOfNameOrdinals), Math.min(numberOfNames, limit) * 4));
  const functions = pe.bytesAtRva(addressOfFunctions, Math.min(untilEof(addressOfFunctions), Math.min(numberOfFunctions, 0x10000) * 4));

  const section = pe.sectionForRva(addressOfNames);
  const safety = section ? section.virtualAddress + pe.sectionData(section).length - addressOfNames : pe.data.length;
  const count = Math.min(numberOfNames, Math.floor(safety / 4), limit);
  const result: string[] = [];
  const repeats = new Map<string, number>();
  let failures = 10;
  for (let i = 0; i < count; i++) {
    if (i % 256 === 0) budget.check('exports');
    if (2 * i + 2 > ordinals.length) break;
    const ordinal = ordinals.readUInt16LE(2 * i);
    if (ordinal * 4 + 4 > functions.length) break;
    const address = functions.readUInt32LE(ordinal * 4);
    if (address === 0) continue;
    if (4 * i + 4 > names.length) {
      if (--failures <= 0) break;
      continue;
    }
    const name = pe.stringAtRva(names.readUInt32LE(4 * i), MAX_NAME_BYTES);
    if (name === undefined || !EXPORT_NAME.test(name)) break;
    const key = `${name}\0${address}`;
    const seen = (repeats.get(key) ?? 0) + 1;
    repeats.set(key, seen);
    if (seen > MAX_REPEATS) break;
    result.push(name);
  }
  const dllName = pe.stringAtRva(nameRva, MAX_NAME_BYTES);
  return dllName === undefined ? { names: result } : { names: result, dllName };
}
