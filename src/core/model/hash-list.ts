/** Hash lists: imported known-bad and known-good file hashes (MalwareBazaar exports, plain lists). */

/** `known-bad` lists make the hashlist engine answer malicious; `known-good` ones harmless. */
export type HashListKind = 'known-bad' | 'known-good';

export type HashType = 'md5' | 'sha1' | 'sha256';

export interface HashListInfo {
  name: string;
  kind: HashListKind;
  /** The import format, e.g. `malwarebazaar` or `plain`. */
  format: string;
  entries: number;
  /** Unix seconds. */
  importedAt: number;
  /** An absolute path, or the URL without credentials. */
  source: string | null;
}

export interface HashListEntry {
  /** Lower-case hex; its length gives its type. */
  hash: string;
  /** What the list says the file is (MalwareBazaar's `signature`, a family name), when it says. */
  label: string | null;
}

export interface HashListMatch {
  list: string;
  kind: HashListKind;
  hash: string;
  label: string | null;
}

export function hashTypeOf(hash: string): HashType | undefined {
  if (!/^[0-9a-f]+$/.test(hash)) return undefined;
  return hash.length === 32 ? 'md5' : hash.length === 40 ? 'sha1' : hash.length === 64 ? 'sha256' : undefined;
}
