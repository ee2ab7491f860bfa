/** API key material: generation and the one-way hash under which keys are stored. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 64 hex characters, the shape of a VirusTotal key. */
export const generateApiKey = (): string => randomBytes(32).toString('hex');

/**
 * Keys are 256 random bits, so an unsalted sha256 is enough to make the stored form useless to a
 * thief while still allowing an indexed lookup (a slow KDF would only matter for guessable secrets).
 */
/**
 * Hashes of keys seen lately: every request hashes its key, and hashing was a tenth of a report
 * look-up. Only hashes are ever stored; this map lives in memory like the request that carried the key.
 */
const recentHashes = new Map<string, string>();
const MAX_RECENT_HASHES = 1_000;

export const hashApiKey = (key: string): string => {
  let hash = recentHashes.get(key);
  if (hash === undefined) {
    hash = createHash('sha256').update(key, 'utf8').digest('hex');
    if (recentHashes.size >= MAX_RECENT_HASHES) recentHashes.delete(recentHashes.keys().next().value!);
    recentHashes.set(key, hash);
  }
  return hash;
};

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
