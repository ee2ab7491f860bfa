/** API key material: generation and the one-way hash under which keys are stored. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 64 hex characters, the shape of a VirusTotal key. */
export const generateApiKey = (): string => randomBytes(32).toString('hex');

/**
 * Keys are 256 random bits, so an unsalted sha256 is enough to make the stored form useless to a
 * thief while still allowing an indexed lookup (a slow KDF would only matter for guessable secrets).
 */
export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
