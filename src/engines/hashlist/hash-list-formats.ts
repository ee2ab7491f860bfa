/**
 * Hash-list formats, one line at a time: MalwareBazaar's CSV exports (abuse.ch) and plain lists of
 * md5/sha1/sha256 hashes (abuse.ch's .txt exports among them), each optionally followed by a label.
 */
import { hashTypeOf, type HashListEntry } from '../../core/model/hash-list.js';

export const HASH_LIST_FORMATS = ['malwarebazaar', 'plain'] as const;
export type HashListFormat = (typeof HASH_LIST_FORMATS)[number];

/** Longest label kept (a family name, a signature). */
export const MAX_LABEL_CHARS = 100;

export type LineOutcome = HashListEntry | 'skip' | 'malformed';

function label(text: string | undefined): string | null {
  const t = (text ?? '').replace(/[\p{Cc}]/gu, '').trim();
  return t === '' || /^(?:n\/a|null|none|-)$/i.test(t) ? null : t.slice(0, MAX_LABEL_CHARS);
}

/**
 * Fields of a MalwareBazaar CSV line: `"2024-01-01 00:00:05", "<sha256>", "<md5>", "<sha1>", "<reporter>",
 * "<file_name>", "<file_type_guess>", "<mime_type>", "<signature>", ...` (quoted, `", "` between fields).
 */
function bazaarFields(line: string): string[] | undefined {
  const fields: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(?:,|$)/y;
  let at = 0;
  while (at < line.length && fields.length < 64) {
    re.lastIndex = at;
    const m = re.exec(line);
    if (!m || m[0] === '') return fields.length > 0 ? fields : undefined;
    fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '').trim());
    at = re.lastIndex;
  }
  return fields;
}

export function parseHashListLine(format: HashListFormat, raw: string): LineOutcome {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return 'skip';
  if (format === 'malwarebazaar') {
    const f = bazaarFields(line);
    const sha256 = f?.[1]?.trim().toLowerCase() ?? '';
    if (hashTypeOf(sha256) !== 'sha256') return 'malformed';
    return { hash: sha256, label: label(f?.[8]) };
  }
  const m = /^([0-9A-Fa-f]{32,64})(?:[\s,;:|]+(.*))?$/.exec(line);
  if (!m || !hashTypeOf(m[1]!.toLowerCase())) return 'malformed';
  return { hash: m[1]!.toLowerCase(), label: label(m[2]) };
}

export function isHashListFormat(name: string): name is HashListFormat {
  return (HASH_LIST_FORMATS as readonly string[]).includes(name);
}
