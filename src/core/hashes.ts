/** Recognising the hash forms accepted in file paths (md5, sha1, sha256). */

export type HashKind = 'md5' | 'sha1' | 'sha256';

const kindsByLength: Record<number, HashKind> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
const HEX = /^[0-9a-f]+$/;

/** Returns the kind and lowercased value, or undefined when the text is not a file hash. */
export function parseFileHash(text: string): { kind: HashKind; value: string } | undefined {
  const value = text.trim().toLowerCase();
  // The length picks the kind, then one pattern: this runs on every report look-up.
  const kind = kindsByLength[value.length];
  return kind !== undefined && HEX.test(value) ? { kind, value } : undefined;
}

export interface FileHashes {
  md5: string;
  sha1: string;
  sha256: string;
}
