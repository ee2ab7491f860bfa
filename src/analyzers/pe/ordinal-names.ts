/**
 * Names of functions imported by ordinal, for the DLLs pefile (and so the imphash) knows them
 * for: ws2_32/wsock32 and oleaut32. Any other ordinal import is named `ord<N>`.
 */
import { OLEAUT32_ORDINALS, WS2_32_ORDINALS } from './ordinal-tables.js';

const TABLES: Record<string, Readonly<Record<number, string>>> = {
  'ws2_32.dll': WS2_32_ORDINALS,
  'wsock32.dll': WS2_32_ORDINALS,
  'oleaut32.dll': OLEAUT32_ORDINALS,
};

/** The function name for an ordinal import from `dll`, or undefined when it is not known. */
export function ordinalName(dll: string, ordinal: number): string | undefined {
  return TABLES[dll.toLowerCase()]?.[ordinal];
}
