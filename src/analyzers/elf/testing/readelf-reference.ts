/**
 * The reference for the ELF parser: GNU readelf's `-h -S -l -d --dyn-syms -W` output read into
 * fields, and a field-by-field comparison with our `elf_info`. Used by the tests and bench/elf-compare.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { bufferReader } from '../byte-reader.js';
import { parseElf, type ParsedElf } from '../elf-parser.js';

export interface ReadelfView {
  header: Record<string, string>;
  sections: Array<{ name: string; type: string; addr: number; offset: number; size: number; flags: string }>;
  segments: Array<{ type: string; sections: string[] }>;
  needed: string[];
  dynamicSymbols: string[];
  interp?: string;
}

export function readelfAvailable(): boolean {
  try {
    execFileSync('readelf', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function runReadelf(file: string): ReadelfView {
  const out = execFileSync('readelf', ['-h', '-S', '-l', '-d', '--dyn-syms', '-W', file], {
    encoding: 'latin1', maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'],
  });
  return parseReadelf(out);
}

export function parseReadelf(text: string): ReadelfView {
  const view: ReadelfView = { header: {}, sections: [], segments: [], needed: [], dynamicSymbols: [] };
  let part: 'header' | 'sections' | 'phdrs' | 'mapping' | 'other' = 'other';
  const segmentTypes: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('ELF Header:')) { part = 'header'; continue; }
    if (line.startsWith('Section Headers:')) { part = 'sections'; continue; }
    if (line.startsWith('Program Headers:')) { part = 'phdrs'; continue; }
    if (line.startsWith(' Section to Segment mapping:')) { part = 'mapping'; continue; }
    if (/^(Dynamic section|Symbol table|Key to Flags|There are|Elf file type)/.test(line)) part = 'other';
    if (part === 'header') {
      const m = /^\s+([^:]+):\s+(.*)$/.exec(line);
      if (m) {
        const key = m[1]!.trim();
        // "Version" appears twice: the ident byte, then e_version.
        view.header[key in view.header ? `${key} (e_version)` : key] = m[2]!.trim();
      }
    } else if (part === 'sections') {
      const m = /^\s*\[\s*(\d+)\] (.*?)\s+([0-9a-f]{8,16}) ([0-9a-f]{6,}) ([0-9a-f]{6,}) ([0-9a-f]{2,}) (.{3}) *(\d+) +(\d+) +(\d+)\s*$/.exec(line);
      if (m) {
        const nameAndType = m[2]!;
        const name = nameAndType.startsWith(' ') ? '' : nameAndType.split(/\s+/)[0]!;
        const type = nameAndType.slice(name.length).trim();
        view.sections.push({ name, type, addr: parseInt(m[3]!, 16), offset: parseInt(m[4]!, 16), size: parseInt(m[5]!, 16), flags: m[7]!.trim() });
      }
    } else if (part === 'phdrs') {
      const m = /^\s+(\S.*?)\s+0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+ /.exec(line);
      if (m) segmentTypes.push(m[1]!);
      const interp = /\[Requesting program interpreter: (.*)\]$/.exec(line);
      if (interp) view.interp = interp[1]!;
    } else if (part === 'mapping') {
      const m = /^\s+(\d+)\s?(.*)$/.exec(line);
      if (m) {
        const i = Number(m[1]);
        view.segments.push({ type: segmentTypes[i] ?? '?', sections: m[2]!.trim() === '' ? [] : m[2]!.trim().split(/\s+/) });
      }
    }
    const needed = /\(NEEDED\)\s+Shared library: \[(.*)\]$/.exec(line);
    if (needed) view.needed.push(needed[1]!);
    const sym = /^\s*(\d+): [0-9a-f]+\s+\S+ \S+\s+\S+\s+\S+\s+\S+ ?(.*)$/.exec(line);
    if (sym && part === 'other' && Number(sym[1]) > 0) view.dynamicSymbols.push(baseSymbolName(sym[2]!));
  }
  return view;
}

/** `free@GLIBC_2.2.5 (2)` -> `free`: readelf appends symbol versions; elf_info names are bare. */
function baseSymbolName(shown: string): string {
  const noIndex = shown.replace(/ \(\d+\)$/, '');
  const at = noIndex.indexOf('@');
  return at > 0 ? noIndex.slice(0, at) : noIndex;
}

export interface ElfComparison {
  /** Number of individual values compared. */
  compared: number;
  differences: string[];
}

/** Every field readelf shows that elf_info carries, compared one by one. */
export function compareWithReadelf(parsed: ParsedElf, ref: ReadelfView): ElfComparison {
  const differences: string[] = [];
  let compared = 0;
  const eq = (what: string, ours: unknown, theirs: unknown) => {
    compared++;
    if (ours !== theirs) differences.push(`${what}: ours ${JSON.stringify(ours)} readelf ${JSON.stringify(theirs)}`);
  };
  const h = parsed.info.header;
  eq('class', h.class, ref.header.Class);
  eq('data', h.data, ref.header.Data);
  eq('hdr_version', h.hdr_version, ref.header.Version);
  eq('obj_version', h.obj_version, ref.header['Version (e_version)']);
  eq('os_abi', h.os_abi, ref.header['OS/ABI']);
  eq('abi_version', String(h.abi_version), ref.header['ABI Version']);
  eq('type', h.type, ref.header.Type);
  eq('machine', h.machine, ref.header.Machine);
  eq('entrypoint', `0x${h.entrypoint.toString(16)}`, ref.header['Entry point address']);
  eq('flags', h.flags, ref.header.Flags?.split(',')[0]);
  eq('section count', parsed.info.section_list.length, ref.sections.length);
  ref.sections.forEach((s, i) => {
    const o = parsed.info.section_list[i];
    if (!o) return;
    eq(`section ${i} name`, o.name, s.name);
    eq(`section ${i} type`, o.section_type, s.type);
    eq(`section ${i} address`, o.virtual_address, s.addr);
    eq(`section ${i} offset`, o.physical_offset, s.offset);
    eq(`section ${i} size`, o.size, s.size);
    eq(`section ${i} flags`, o.flags, s.flags);
  });
  eq('segment count', parsed.info.segment_list.length, ref.segments.length);
  ref.segments.forEach((s, i) => {
    const o = parsed.info.segment_list[i];
    if (!o) return;
    eq(`segment ${i} type`, o.segment_type, s.type);
    eq(`segment ${i} sections`, o.resources.join(' '), s.sections.join(' '));
  });
  eq('needed', parsed.info.shared_libraries.join(' '), ref.needed.join(' '));
  eq('interp', parsed.info.interp, ref.interp);
  eq('dynamic symbol count', parsed.dynamicSymbols.length, ref.dynamicSymbols.length);
  ref.dynamicSymbols.forEach((name, i) => eq(`dynamic symbol ${i + 1}`, parsed.dynamicSymbols[i]?.name, name));
  return { compared, differences };
}

/** Parse a file with our parser and with readelf, and compare. */
export async function compareFile(file: string): Promise<ElfComparison & { parsed: ParsedElf }> {
  const parsed = await parseElf(bufferReader(await readFile(file)));
  if (!parsed) throw new Error(`${file} is not ELF`);
  return { ...compareWithReadelf(parsed, runReadelf(file)), parsed };
}
