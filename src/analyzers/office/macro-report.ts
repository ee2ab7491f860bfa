/**
 * VT's `ole` block ({macros, num_macros}) built from the VBA projects of one OLE file: every
 * module's full code (kept whole so it is searchable) with olevba-style findings.
 */
import { createHash } from 'node:crypto';
import type { OleFile } from './ole-reader.js';
import { analyzeMacroCode, type MacroFindings } from './vba-keywords.js';
import { extractVbaModules, findVbaProjects, type VbaLimits } from './vba-project.js';

export interface MacroEntry {
  vba_filename: string;
  stream_path: string;
  /** The part of an OOXML package the VBA project came from (`word/vbaProject.bin`). */
  subfilename?: string;
  vba_code: string;
  length: number;
  sha256: string;
  patterns: string[];
  properties: string[];
  keywords: MacroFindings['keywords'];
  truncated?: boolean;
}

export function macrosOf(ole: OleFile, limits: VbaLimits, budget: { bytes: number }, warnings: string[], subfilename?: string): { entries: MacroEntry[]; findings: MacroFindings[] } {
  const entries: MacroEntry[] = [];
  const findings: MacroFindings[] = [];
  for (const project of findVbaProjects(ole)) {
    for (const m of extractVbaModules(ole, project, limits, budget, warnings)) {
      const f = analyzeMacroCode(m.code);
      findings.push(f);
      entries.push({
        vba_filename: m.fileName,
        stream_path: m.streamPath,
        ...(subfilename ? { subfilename } : {}),
        vba_code: m.code,
        length: m.code.length,
        sha256: createHash('sha256').update(m.code).digest('hex'),
        patterns: f.patterns,
        properties: f.properties,
        keywords: f.keywords,
        ...(m.truncated ? { truncated: true } : {}),
      });
    }
  }
  return { entries, findings };
}

/** The auto-exec entry points found across macros, as olevba lists them. */
export function autoExecOf(entries: MacroEntry[]): string[] {
  const names = new Set<string>();
  for (const e of entries) for (const k of e.keywords) if (k.type === 'AutoExec') names.add(k.keyword);
  return [...names];
}
