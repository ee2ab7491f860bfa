/** Recognising the hash forms accepted in file paths (md5, sha1, sha256). */

export type HashKind = 'md5' | 'sha1' | 'sha256';

const patterns: Array<[HashKind, RegExp]> = [
  ['md5', /^[0-9a-f]{32}$/],
  ['sha1', /^[0-9a-f]{40}$/],
  ['sha256', /^[0-9a-f]{64}$/],
];

/** Returns the kind and lowercased value, or undefined when the text is not a file hash. */
export function parseFileHash(text: string): { kind: HashKind; value: string } | undefined {
  const value = text.trim().toLowerCase();
  for (const [kind, re] of patterns) if (re.test(value)) return { kind, value };
  return undefined;
}

export interface FileHashes {
  md5: string;
  sha1: string;
  sha256: string;
}
