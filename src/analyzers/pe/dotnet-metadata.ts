/**
 * .NET basics for VirusTotal's `dot_net_assembly`: the CLR header, the metadata root and streams,
 * and the Assembly, AssemblyRef and ModuleRef rows of the `#~` table stream with their `#Strings`.
 * Row sizes follow ECMA-335 II.22 (every table before AssemblyRef must be sized to find it).
 */
import { DIR, type PeImage } from './pe-image.js';
import type { Budget } from './pe-limits.js';

export interface DotNetAssembly {
  clr_version: string;
  clr_meta_version: string;
  assembly_name?: string;
  assembly_data?: {
    name: string;
    majorversion: number;
    minorversion: number;
    buildnumber: number;
    revisionnumber: number;
    culture: string;
    flags: number;
    hashalgid: number;
  };
  external_assemblies?: Record<string, { version: string }>;
  external_modules?: string[];
  tables_rows_map?: Record<string, number>;
  streams: string[];
  entry_point_token?: number;
}

type Column = 'u8' | 'u16' | 'u32' | 'S' | 'G' | 'B' | { table: number } | { coded: keyof typeof CODED };

/** Coded indexes: tag bits and the tables they can point at (undefined for unused tag values). */
const CODED = {
  TypeDefOrRef: [2, 0x02, 0x01, 0x1b],
  HasConstant: [2, 0x04, 0x08, 0x17],
  HasCustomAttribute: [5, 0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x00, 0x0e, 0x17, 0x14, 0x11, 0x1a, 0x1b, 0x20, 0x23, 0x26, 0x27, 0x28, 0x2a, 0x2c, 0x2b],
  HasFieldMarshal: [1, 0x04, 0x08],
  HasDeclSecurity: [2, 0x02, 0x06, 0x20],
  MemberRefParent: [3, 0x02, 0x01, 0x1a, 0x06, 0x1b],
  HasSemantics: [1, 0x14, 0x17],
  MethodDefOrRef: [1, 0x06, 0x0a],
  MemberForwarded: [1, 0x04, 0x06],
  Implementation: [2, 0x26, 0x23, 0x27],
  CustomAttributeType: [3, 0x06, 0x0a],
  ResolutionScope: [2, 0x00, 0x1a, 0x23, 0x01],
  TypeOrMethodDef: [1, 0x02, 0x06],
} as const;

const T = (table: number): Column => ({ table });
const C = (coded: keyof typeof CODED): Column => ({ coded });

/** ECMA-335 II.22 table schemas, 0x00 to 0x2C, in table-number order. */
const TABLES: ReadonlyArray<{ name: string; columns: Column[] }> = [
  { name: 'Module', columns: ['u16', 'S', 'G', 'G', 'G'] },
  { name: 'TypeRef', columns: [C('ResolutionScope'), 'S', 'S'] },
  { name: 'TypeDef', columns: ['u32', 'S', 'S', C('TypeDefOrRef'), T(0x04), T(0x06)] },
  { name: 'FieldPtr', columns: [T(0x04)] },
  { name: 'Field', columns: ['u16', 'S', 'B'] },
  { name: 'MethodPtr', columns: [T(0x06)] },
  { name: 'MethodDef', columns: ['u32', 'u16', 'u16', 'S', 'B', T(0x08)] },
  { name: 'ParamPtr', columns: [T(0x08)] },
  { name: 'Param', columns: ['u16', 'u16', 'S'] },
  { name: 'InterfaceImpl', columns: [T(0x02), C('TypeDefOrRef')] },
  { name: 'MemberRef', columns: [C('MemberRefParent'), 'S', 'B'] },
  { name: 'Constant', columns: ['u16', C('HasConstant'), 'B'] },
  { name: 'CustomAttribute', columns: [C('HasCustomAttribute'), C('CustomAttributeType'), 'B'] },
  { name: 'FieldMarshal', columns: [C('HasFieldMarshal'), 'B'] },
  { name: 'DeclSecurity', columns: ['u16', C('HasDeclSecurity'), 'B'] },
  { name: 'ClassLayout', columns: ['u16', 'u32', T(0x02)] },
  { name: 'FieldLayout', columns: ['u32', T(0x04)] },
  { name: 'StandAloneSig', columns: ['B'] },
  { name: 'EventMap', columns: [T(0x02), T(0x14)] },
  { name: 'EventPtr', columns: [T(0x14)] },
  { name: 'Event', columns: ['u16', 'S', C('TypeDefOrRef')] },
  { name: 'PropertyMap', columns: [T(0x02), T(0x17)] },
  { name: 'PropertyPtr', columns: [T(0x17)] },
  { name: 'Property', columns: ['u16', 'S', 'B'] },
  { name: 'MethodSemantics', columns: ['u16', T(0x06), C('HasSemantics')] },
  { name: 'MethodImpl', columns: [T(0x02), C('MethodDefOrRef'), C('MethodDefOrRef')] },
  { name: 'ModuleRef', columns: ['S'] },
  { name: 'TypeSpec', columns: ['B'] },
  { name: 'ImplMap', columns: ['u16', C('MemberForwarded'), 'S', T(0x1a)] },
  { name: 'FieldRVA', columns: ['u32', T(0x04)] },
  { name: 'EncLog', columns: ['u32', 'u32'] },
  { name: 'EncMap', columns: ['u32'] },
  { name: 'Assembly', columns: ['u32', 'u16', 'u16', 'u16', 'u16', 'u32', 'B', 'S', 'S'] },
  { name: 'AssemblyProcessor', columns: ['u32'] },
  { name: 'AssemblyOS', columns: ['u32', 'u32', 'u32'] },
  { name: 'AssemblyRef', columns: ['u16', 'u16', 'u16', 'u16', 'u32', 'B', 'S', 'S', 'B'] },
  { name: 'AssemblyRefProcessor', columns: ['u32', T(0x23)] },
  { name: 'AssemblyRefOS', columns: ['u32', 'u32', 'u32', T(0x23)] },
  { name: 'File', columns: ['u32', 'S', 'B'] },
  { name: 'ExportedType', columns: ['u32', 'u32', 'S', 'S', C('Implementation')] },
  { name: 'ManifestResource', columns: ['u32', 'u32', 'S', C('Implementation')] },
  { name: 'NestedClass', columns: [T(0x02), T(0x02)] },
  { name: 'GenericParam', columns: ['u16', 'u16', C('TypeOrMethodDef'), 'S'] },
  { name: 'MethodSpec', columns: [C('MethodDefOrRef'), 'B'] },
  { name: 'GenericParamConstraint', columns: [T(0x2a), C('TypeDefOrRef')] },
];

const ASSEMBLY = 0x20;
const ASSEMBLY_REF = 0x23;
const MODULE_REF = 0x1a;
const MAX_STREAMS = 16;
const MAX_REF_ROWS = 1024;

interface Stream {
  offset: number;
  size: number;
}

export function parseDotNet(pe: PeImage, budget: Budget): DotNetAssembly | undefined {
  const clr = pe.directory(DIR.CLR);
  const header = pe.bytesAtRva(clr.rva, 72);
  if (header.length < 24) return undefined;
  const clrMeta = `${header.readUInt16LE(4)}.${header.readUInt16LE(6)}`;
  const metaRva = header.readUInt32LE(8);
  const metaSize = header.readUInt32LE(12);
  const entryPointToken = header.readUInt32LE(20);
  const meta = pe.bytesAtRva(metaRva, metaSize);
  if (meta.length < 20 || meta.readUInt32LE(0) !== 0x424a5342) return undefined; // "BSJB"
  const versionLength = meta.readUInt32LE(12);
  if (versionLength > 255 || 16 + versionLength + 4 > meta.length) return undefined;
  const clrVersion = cString(meta, 16, versionLength);
  let at = 16 + versionLength + 2;
  const streamCount = Math.min(meta.readUInt16LE(at), MAX_STREAMS);
  at += 2;
  const streams = new Map<string, Stream>();
  for (let i = 0; i < streamCount && at + 8 <= meta.length; i++) {
    const offset = meta.readUInt32LE(at);
    const size = meta.readUInt32LE(at + 4);
    const nameEnd = meta.indexOf(0, at + 8);
    if (nameEnd === -1 || nameEnd - (at + 8) > 32) break;
    const name = meta.subarray(at + 8, nameEnd).toString('latin1');
    at = (nameEnd + 4) & ~3; // names are padded to a 4-byte boundary
    if (offset < meta.length) streams.set(name, { offset, size: Math.min(size, meta.length - offset) });
  }
  const result: DotNetAssembly = { clr_version: clrVersion, clr_meta_version: clrMeta, streams: [...streams.keys()] };
  if (entryPointToken !== 0) result.entry_point_token = entryPointToken;
  const tablesStream = streams.get('#~') ?? streams.get('#-');
  const strings = streams.get('#Strings');
  if (!tablesStream || !strings) return result;
  budget.check('.NET metadata');
  readTables(meta.subarray(tablesStream.offset, tablesStream.offset + tablesStream.size), meta.subarray(strings.offset, strings.offset + strings.size), result, budget);
  return result;
}

function readTables(tables: Buffer, strings: Buffer, result: DotNetAssembly, budget: Budget): void {
  if (tables.length < 24) return;
  const heapSizes = tables[6]!;
  const valid = tables.readBigUInt64LE(8);
  let at = 24;
  const rows = new Array<number>(64).fill(0);
  for (let t = 0; t < 64; t++) {
    if (!((valid >> BigInt(t)) & 1n)) continue;
    if (at + 4 > tables.length) return;
    rows[t] = tables.readUInt32LE(at);
    at += 4;
  }
  if (heapSizes & 0x40) at += 4; // an extra dword some obfuscators and #- streams carry
  const sizes = {
    S: heapSizes & 0x01 ? 4 : 2,
    G: heapSizes & 0x02 ? 4 : 2,
    B: heapSizes & 0x04 ? 4 : 2,
  };
  const columnSize = (c: Column): number => {
    if (c === 'u8') return 1;
    if (c === 'u16') return 2;
    if (c === 'u32') return 4;
    if (c === 'S' || c === 'G' || c === 'B') return sizes[c];
    if ('table' in c) return rows[c.table]! < 0x10000 ? 2 : 4;
    const [bits, ...targets] = CODED[c.coded];
    const max = Math.max(...targets.map((t) => rows[t] ?? 0));
    return max < 2 ** (16 - bits) ? 2 : 4;
  };
  const tableMap: Record<string, number> = {};
  const starts: number[] = [];
  for (let t = 0; t < TABLES.length; t++) {
    starts[t] = at;
    if (rows[t]) tableMap[TABLES[t]!.name] = rows[t]!;
    at += rows[t]! * TABLES[t]!.columns.reduce((sum, c) => sum + columnSize(c), 0);
  }
  result.tables_rows_map = tableMap;
  budget.check('.NET tables');

  const readRow = (table: number, index: number): number[] | undefined => {
    const schema = TABLES[table]!;
    const rowSize = schema.columns.reduce((sum, c) => sum + columnSize(c), 0);
    let p = starts[table]! + index * rowSize;
    if (p + rowSize > tables.length) return undefined;
    return schema.columns.map((c) => {
      const size = columnSize(c);
      const v = size === 1 ? tables[p]! : size === 2 ? tables.readUInt16LE(p) : tables.readUInt32LE(p);
      p += size;
      return v;
    });
  };
  const str = (index: number): string => (index < strings.length ? cString(strings, index, Math.min(budget.limits.maxStringBytes, strings.length - index)) : '');

  if (rows[ASSEMBLY]) {
    const r = readRow(ASSEMBLY, 0);
    if (r) {
      const name = str(r[7]!);
      result.assembly_name = name;
      result.assembly_data = {
        name,
        majorversion: r[1]!,
        minorversion: r[2]!,
        buildnumber: r[3]!,
        revisionnumber: r[4]!,
        culture: str(r[8]!),
        flags: r[5]!,
        hashalgid: r[0]!,
      };
    }
  }
  const refs: Record<string, { version: string }> = {};
  for (let i = 0; i < Math.min(rows[ASSEMBLY_REF]!, MAX_REF_ROWS); i++) {
    const r = readRow(ASSEMBLY_REF, i);
    if (!r) break;
    refs[str(r[6]!)] = { version: `${r[0]}.${r[1]}.${r[2]}.${r[3]}` };
  }
  if (Object.keys(refs).length > 0) result.external_assemblies = refs;
  const modules: string[] = [];
  for (let i = 0; i < Math.min(rows[MODULE_REF]!, MAX_REF_ROWS); i++) {
    const r = readRow(MODULE_REF, i);
    if (!r) break;
    modules.push(str(r[0]!));
  }
  if (modules.length > 0) result.external_modules = modules;
}

function cString(buf: Buffer, at: number, max: number): string {
  const slice = buf.subarray(at, at + max);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? slice.length : nul).toString('utf8');
}
