/** Identifier formats VirusTotal clients see: file analysis ids and random key material. */
import { randomBytes } from 'node:crypto';

/**
 * VT's file analysis id: standard base64 (with padding) of "<md5>:<unix seconds>".
 * A suffix keeps two submissions of one file in the same second distinct.
 */
export function fileAnalysisId(md5: string, unixSeconds: number, suffix = ''): string {
  return Buffer.from(`${md5}:${unixSeconds}${suffix ? `:${suffix}` : ''}`).toString('base64');
}

/** A short random hex string; used to disambiguate ids and name temporary files. */
export function randomHex(bytes = 4): string {
  return randomBytes(bytes).toString('hex');
}

/** Unix seconds, the unit of every *_date attribute. */
export const toUnixSeconds = (ms: number): number => Math.floor(ms / 1000);

/** The public id of an API key: `k_` + 8 hex. Shown in lists and used to revoke or rotate; not a secret. */
export const apiKeyId = (): string => `k_${randomHex(4)}`;
