/**
 * VBA projects inside an OLE file ([MS-OVBA] 2.2 storages, 2.3.4.2 the `dir` stream): finds every
 * `VBA/dir` stream, reads the module records and decompresses each module's source code.
 */
import { decompressContainer } from './ovba-decompress.js';
import type { OleEntry, OleFile } from './ole-reader.js';
import { decodeCodePage } from './property-set.js';

export interface VbaModule {
  name: string;
  /** The name with the extension olevba gives it from the PROJECT stream (`.bas`, `.cls`, `.frm`): VT's `vba_filename`. */
  fileName: string;
  /** OLE path of the module stream (VT's `stream_path`). */
  streamPath: string;
  code: string;
  /** True when the code was cut at the size limit or its stream was damaged. */
  truncated: boolean;
}

export interface VbaLimits {
  maxModules: number;
  /** Decompressed bytes of one module, and of the dir stream. */
  maxModuleBytes: number;
  /** Decompressed bytes of all modules of one file together. */
  maxTotalBytes: number;
}

export const DEFAULT_VBA_LIMITS: VbaLimits = { maxModules: 500, maxModuleBytes: 4 * 1024 * 1024, maxTotalBytes: 32 * 1024 * 1024 };

interface ModuleRecord {
  name?: string;
  streamName?: string;
  offset: number;
}

/** Record ids from [MS-OVBA] 2.3.4.2. */
const PROJECTCODEPAGE = 0x0003;
const PROJECTVERSION = 0x0009;
const MODULENAME = 0x0019;
const MODULENAMEUNICODE = 0x0047;
const MODULESTREAMNAME = 0x001a;
const MODULESTREAMNAMEUNICODE = 0x0032;
const MODULEOFFSET = 0x0031;
const MODULETERMINATOR = 0x002b;
const DIRTERMINATOR = 0x0010;

/** Every VBA project's storage path: the parent of a `VBA` storage holding a `dir` stream. */
export function findVbaProjects(ole: OleFile): string[] {
  return ole.entries.filter((e) => e.kind === 'stream' && /(^|\/)vba\/dir$/i.test(e.path)).map((e) => e.path.slice(0, -'VBA/dir'.length).replace(/\/$/, ''));
}

/** The modules of the project at `projectPath` ('' when the VBA storage is at the root, as in vbaProject.bin). */
export function extractVbaModules(ole: OleFile, projectPath: string, limits: VbaLimits, budget: { bytes: number }, warnings: string[]): VbaModule[] {
  const vbaPath = projectPath ? `${projectPath}/VBA` : 'VBA';
  const dirEntry = ole.find(`${vbaPath}/dir`);
  if (!dirEntry) return [];
  const dir = decompressContainer(ole.read(dirEntry), limits.maxModuleBytes);
  if (dir.error) warnings.push(`${vbaPath}/dir: ${dir.error}`);
  const { codePage, modules } = parseDir(dir.data, limits.maxModules);
  const projectStream = ole.find(projectPath ? `${projectPath}/PROJECT` : 'PROJECT');
  const extensions = moduleExtensions(projectStream ? ole.read(projectStream).subarray(0, 1 << 20) : Buffer.alloc(0), codePage);
  const out: VbaModule[] = [];
  for (const m of modules) {
    const streamName = m.streamName ?? m.name;
    if (!streamName) continue;
    const stream = ole.find(`${vbaPath}/${streamName}`) ?? findByName(ole, vbaPath, streamName);
    if (!stream) {
      warnings.push(`${vbaPath}: module stream ${streamName} missing`);
      continue;
    }
    const raw = ole.read(stream);
    const room = Math.min(limits.maxModuleBytes, budget.bytes);
    if (room <= 0) {
      warnings.push(`VBA code limit reached; module ${streamName} skipped`);
      break;
    }
    const source = decompressContainer(raw.subarray(Math.min(m.offset, raw.length)), room);
    budget.bytes -= source.data.length;
    if (source.error) warnings.push(`${stream.path}: ${source.error}`);
    const name = m.name ?? streamName;
    out.push({
      name,
      fileName: `${name}.${extensions.get(name.toLowerCase()) ?? 'vba'}`,
      streamPath: stream.path,
      code: decodeCodePage(source.data, codePage),
      truncated: source.truncated || source.error !== undefined,
    });
  }
  return out;
}

/**
 * Module kinds from the PROJECT stream ([MS-OVBA] 2.3.1.7): `Document=` and `Class=` are class
 * modules (.cls), `Module=` standard modules (.bas), `BaseClass=` forms (.frm).
 */
function moduleExtensions(project: Buffer, codePage: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of decodeCodePage(project, codePage).split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim().toLowerCase();
    if (key === 'Document') value = value.split('/')[0]!;
    const ext = key === 'Document' || key === 'Class' ? 'cls' : key === 'Module' ? 'bas' : key === 'BaseClass' ? 'frm' : undefined;
    if (ext) out.set(value, ext);
  }
  return out;
}

/** Stream names in `dir` may differ in case from the directory, and MODULESTREAMNAME is in the project code page. */
function findByName(ole: OleFile, vbaPath: string, name: string): OleEntry | undefined {
  const lower = name.toLowerCase();
  return ole.children(vbaPath).find((e) => e.kind === 'stream' && e.name.toLowerCase() === lower);
}

function parseDir(dir: Buffer, maxModules: number): { codePage: number; modules: ModuleRecord[] } {
  const modules: ModuleRecord[] = [];
  let codePage = 1252;
  let current: ModuleRecord | undefined;
  let pos = 0;
  while (pos + 6 <= dir.length) {
    const id = dir.readUInt16LE(pos);
    let size = dir.readUInt32LE(pos + 2);
    // PROJECTVERSION's Size field says 4 but 6 bytes follow (2.3.4.2.1.11).
    if (id === PROJECTVERSION) size = 6;
    const body = dir.subarray(pos + 6, Math.min(dir.length, pos + 6 + size));
    pos += 6 + size;
    switch (id) {
      case PROJECTCODEPAGE:
        if (body.length >= 2) codePage = body.readUInt16LE(0);
        break;
      case MODULENAME:
        if (modules.length >= maxModules) return { codePage, modules };
        current = { name: decodeCodePage(body, codePage), offset: 0 };
        modules.push(current);
        break;
      case MODULENAMEUNICODE:
        if (current && body.length > 0) current.name = body.toString('utf16le');
        break;
      case MODULESTREAMNAME:
        if (current) current.streamName = decodeCodePage(body, codePage);
        break;
      case MODULESTREAMNAMEUNICODE:
        if (current && body.length > 0) current.streamName = body.toString('utf16le');
        break;
      case MODULEOFFSET:
        if (current && body.length >= 4) current.offset = body.readUInt32LE(0);
        break;
      case MODULETERMINATOR:
        current = undefined;
        break;
      case DIRTERMINATOR:
        return { codePage, modules };
      default:
        break;
    }
  }
  return { codePage, modules };
}
