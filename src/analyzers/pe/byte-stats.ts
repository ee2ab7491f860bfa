/** Entropy, chi-square and md5/sha256 of a byte range: the statistics VirusTotal gives sections, resources and the overlay. */
import { createHash } from 'node:crypto';

export interface ByteStats {
  /** Shannon entropy in bits per byte (pefile's entropy_H). */
  entropy: number;
  /** Pearson's chi-square of the byte histogram against a uniform distribution. */
  chi2: number;
}

export function byteStats(data: Uint8Array): ByteStats {
  if (data.length === 0) return { entropy: 0, chi2: 0 };
  const counts = new Float64Array(256);
  for (let i = 0; i < data.length; i++) counts[data[i]!]!++;
  const n = data.length;
  const expected = n / 256;
  let entropy = 0;
  let chi2 = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    if (c > 0) {
      const p = c / n;
      entropy -= p * Math.log2(p);
    }
    chi2 += ((c - expected) * (c - expected)) / expected;
  }
  return { entropy, chi2 };
}

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** VirusTotal rounds these to two decimals. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
