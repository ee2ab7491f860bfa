/**
 * Runs Debian's pefile (testing/pefile-reference.py) on a list of files and lists, field by field,
 * where our analyzer's output differs from it. Used by the tests and by bench/pe-compare.ts.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PeAnalysis } from '../analyze-pe.js';

/** Debian's interpreter: the one python3-pefile is installed for (a pyenv python3 may come first in PATH). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pefile-reference.py', import.meta.url));

export interface PefileFacts {
  error?: string;
  machine_type: number;
  timestamp: number;
  entry_point: number;
  imphash: string;
  rich_pe_header_hash: string | null;
  is_dll: boolean;
  sections: { name: string; virtual_address: number; virtual_size: number; raw_size: number; entropy: number; md5: string }[];
  import_list: { library_name: string; imported_functions: string[] }[];
  exports: string[];
  overlay: { offset: number; size: number; md5: string } | null;
  resources: { type: string; lang_id: number; sha256: string }[];
}

export function pefileFacts(paths: readonly string[]): Promise<PefileFacts[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(SYSTEM_PYTHON, [SCRIPT], { maxBuffer: 1 << 30 }, (err, stdout) => {
      if (err) return reject(err);
      resolve(stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as PefileFacts));
    });
    child.stdin!.end(paths.map((p) => `${p}\n`).join(''));
  });
}

/** Differences between our analysis and pefile's, as "field: ours != pefile" lines (empty when equal). */
export function differences(ours: PeAnalysis, ref: PefileFacts): string[] {
  const out: string[] = [];
  const info = ours.attributes.pe_info;
  const eq = (field: string, a: unknown, b: unknown): void => {
    const sa = JSON.stringify(a);
    const sb = JSON.stringify(b);
    if (sa !== sb) out.push(`${field}: ${sa?.slice(0, 300)} != ${sb?.slice(0, 300)}`);
  };
  eq('machine_type', info.machine_type, ref.machine_type);
  eq('timestamp', info.timestamp, ref.timestamp);
  eq('entry_point', info.entry_point, ref.entry_point);
  eq('imphash', info.imphash, ref.imphash);
  eq('rich_pe_header_hash', info.rich_pe_header_hash ?? null, ref.rich_pe_header_hash);
  eq('dll tag', ours.tags.includes('pedll'), ref.is_dll);
  eq(
    'sections',
    info.sections.map((s) => ({ name: s.name, virtual_address: s.virtual_address, virtual_size: s.virtual_size, raw_size: s.raw_size, entropy: s.entropy, md5: s.md5 })),
    ref.sections,
  );
  eq('import_list', info.import_list, ref.import_list);
  eq('exports', info.exports ?? [], ref.exports);
  eq('overlay', info.overlay ? { offset: info.overlay.offset, size: info.overlay.size, md5: info.overlay.md5 } : null, ref.overlay);
  eq('resources (type, sha256)', (info.resource_details ?? []).map((r) => [r.type, r.sha256]), ref.resources.map((r) => [r.type, r.sha256]));
  return out;
}
