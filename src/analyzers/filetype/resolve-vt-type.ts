/** Reads VT_TYPE_RULES: libmagic signatures, then Magika's label, then the MIME type; first match wins. */
import { VT_TYPE_RULES, VT_UNKNOWN_TYPE, type VtFileType, type VtTypeRule } from './vt-type-table.js';

export interface TypeEvidence {
  /** libmagic description (`file -b`). */
  magic?: string;
  /** libmagic MIME type (`file -b --mime-type`). */
  mime?: string;
  /** Magika output label, lower case as Magika prints it. */
  magika?: string;
}

export function resolveVtType(evidence: TypeEvidence, rules: readonly VtTypeRule[] = VT_TYPE_RULES): VtFileType {
  const { magic, mime, magika } = evidence;
  const rule =
    (magic !== undefined ? rules.find((r) => r.magic?.some((re) => re.test(magic))) : undefined) ??
    (magika !== undefined ? rules.find((r) => r.magika?.includes(magika)) : undefined) ??
    (mime !== undefined ? rules.find((r) => r.mime?.some((m) => mimeMatches(m, mime))) : undefined);
  if (!rule) return VT_UNKNOWN_TYPE;
  const { type_description, type_tag, type_tags, type_extension } = rule;
  return type_extension === undefined ? { type_description, type_tag, type_tags } : { type_description, type_tag, type_tags, type_extension };
}

function mimeMatches(pattern: string, mime: string): boolean {
  return pattern.endsWith('/*') ? mime.startsWith(pattern.slice(0, -1)) : pattern === mime;
}
