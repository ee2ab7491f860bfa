/**
 * The resource tree: VirusTotal's `resource_details` (one entry per leaf: type, language,
 * entropy, chi2, sha256, filetype) and the `resource_types` / `resource_langs` counts. The walk
 * keeps a set of visited directories and a depth limit, so a tree that points back at itself ends.
 */
import { byteStats, round2, sha256Hex } from './byte-stats.js';
import { DIR, type PeImage } from './pe-image.js';
import type { Budget } from './pe-limits.js';
import { languageName, resourceTypeName } from './resource-names.js';
import { sniffFiletype } from './sniff-filetype.js';

export interface ResourceDetail {
  type: string;
  lang: string;
  entropy: number;
  chi2: number;
  sha256: string;
  filetype: string;
}

export interface ResourceLeaf {
  /** Type name (`RT_RCDATA`) or the type's string name. */
  type: string;
  /** Resource name or id at the second level. */
  name: string;
  langId: number;
  data: Buffer;
}

export interface ResourcesResult {
  details: ResourceDetail[];
  types: Record<string, number>;
  langs: Record<string, number>;
  leaves: ResourceLeaf[];
}

export function parseResources(pe: PeImage, budget: Budget): ResourcesResult {
  const result: ResourcesResult = { details: [], types: {}, langs: {}, leaves: [] };
  const dir = pe.directory(DIR.RESOURCE);
  const base = pe.offsetOfRva(dir.rva);
  if (dir.rva === 0 || base === undefined) return result;
  const visited = new Set<number>();
  // Directory entries looked at in total: many directories of many entries must not add up to hours.
  let entriesLeft = budget.limits.maxResources * 16;
  const maxName = budget.limits.maxStringBytes;

  const readName = (field: number): string => {
    if ((field & 0x80000000) === 0) return String(field);
    const at = base + (field & 0x7fffffff);
    const chars = Math.min(pe.u16(at), maxName);
    const end = Math.min(at + 2 + chars * 2, pe.data.length);
    return at + 2 <= end ? pe.data.subarray(at + 2, end).toString('utf16le') : '';
  };

  const walk = (offset: number, depth: number, path: string[]): void => {
    if (depth >= budget.limits.maxResourceDepth || visited.has(offset)) return;
    visited.add(offset);
    const at = base + offset;
    if (at + 16 > pe.data.length) return;
    const count = pe.u16(at + 12) + pe.u16(at + 14);
    for (let i = 0; i < count && result.leaves.length < budget.limits.maxResources; i++) {
      if (--entriesLeft < 0) return;
      if (i % 64 === 0) budget.check('resources');
      const entry = at + 16 + i * 8;
      if (entry + 8 > pe.data.length) return;
      const nameField = pe.u32(entry);
      const target = pe.u32(entry + 4);
      const label = depth === 0 && (nameField & 0x80000000) === 0 ? resourceTypeName(nameField) : readName(nameField);
      if (target & 0x80000000) {
        walk(target & 0x7fffffff, depth + 1, [...path, label]);
        continue;
      }
      // A data entry; the language is the last level's id.
      const leafAt = base + target;
      if (leafAt + 16 > pe.data.length) continue;
      const dataRva = pe.u32(leafAt);
      const size = pe.u32(leafAt + 4);
      const data = pe.bytesAtRva(dataRva, size);
      const langId = (nameField & 0x80000000) === 0 ? nameField & 0xffff : 0;
      result.leaves.push({ type: path[0] ?? label, name: path[1] ?? label, langId, data });
    }
  };
  walk(0, 0, []);

  for (const leaf of result.leaves) {
    budget.check('resource hashes');
    const lang = languageName(leaf.langId);
    result.types[leaf.type] = (result.types[leaf.type] ?? 0) + 1;
    result.langs[lang] = (result.langs[lang] ?? 0) + 1;
    const hashed = budget.claimHashing(leaf.data.length);
    const stats = hashed ? byteStats(leaf.data) : { entropy: 0, chi2: 0 };
    result.details.push({
      type: leaf.type,
      lang,
      entropy: round2(stats.entropy),
      chi2: round2(stats.chi2),
      sha256: hashed ? sha256Hex(leaf.data) : '',
      filetype: sniffFiletype(leaf.data),
    });
  }
  return result;
}
