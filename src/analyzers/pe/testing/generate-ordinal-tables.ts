/**
 * Writes ../ordinal-tables.ts from the export tables of Wine's ws2_32.dll and oleaut32.dll (Wine
 * keeps Windows' ordinals), so imports by ordinal get the names pefile's imphash uses.
 * Run: node --import tsx src/analyzers/pe/testing/generate-ordinal-tables.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DIR, PeImage } from '../pe-image.js';
import { Budget, DEFAULT_PE_LIMITS } from '../pe-limits.js';

const WINE = '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows';

export function exportOrdinals(file: string): Map<number, string> {
  const data = readFileSync(file);
  const pe = new PeImage(data, new Budget(DEFAULT_PE_LIMITS, data.length));
  const dir = pe.directory(DIR.EXPORT);
  const h = pe.bytesAtRva(dir.rva, 40);
  const base = h.readUInt32LE(16);
  const names = h.readUInt32LE(24);
  const out = new Map<number, string>();
  for (let i = 0; i < names; i++) {
    const nameRva = pe.u32AtRva(h.readUInt32LE(32) + 4 * i)!;
    const index = pe.bytesAtRva(h.readUInt32LE(36) + 2 * i, 2).readUInt16LE(0);
    out.set(base + index, pe.stringAtRva(nameRva, 0x200)!);
  }
  return out;
}

function table(name: string, map: Map<number, string>): string {
  const rows = [...map].sort((a, b) => a[0] - b[0]).map(([o, n]) => `  ${o}: '${n}',`);
  return `export const ${name}: Readonly<Record<number, string>> = {\n${rows.join('\n')}\n};\n`;
}

/** Winsock 1.1's ordinals, the same in every Windows ws2_32/wsock32; Wine numbers the later exports its own way. */
const winsock11 = (ordinal: number): boolean => ordinal <= 23 || (ordinal >= 51 && ordinal <= 57) || (ordinal >= 101 && ordinal <= 116) || ordinal === 151 || ordinal === 500;
/**
 * COM entry points and Wine's own additions are placed by Wine, not at Windows' ordinals; the
 * marshalling helpers at 380-399 are left unnamed by pefile, whose names the imphash must match.
 */
const oleaut32Fixed = (ordinal: number, name: string): boolean => !name.startsWith('Dll') && name !== 'OACreateTypeLib2' && (ordinal < 380 || ordinal > 399);

const only = (map: Map<number, string>, keep: (ordinal: number, name: string) => boolean): Map<number, string> => new Map([...map].filter(([o, n]) => keep(o, n)));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = fileURLToPath(new URL('../ordinal-tables.ts', import.meta.url));
  writeFileSync(
    target,
    `/** Ordinal-to-name tables (data only), generated from Wine's export tables by testing/generate-ordinal-tables.ts; see ordinal-names.ts. */\n` +
      table('WS2_32_ORDINALS', only(exportOrdinals(`${WINE}/ws2_32.dll`), winsock11)) +
      table('OLEAUT32_ORDINALS', only(exportOrdinals(`${WINE}/oleaut32.dll`), oleaut32Fixed)),
  );
  console.log(`wrote ${target}`);
}
