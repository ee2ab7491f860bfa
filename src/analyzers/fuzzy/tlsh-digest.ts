/**
 * TLSH digests with the npm `tlsh` package (a port of TLSH 3.x), equal to what Debian's `tlsh -f`
 * 3.4.4 prints, with VirusTotal's `T1` prefix; `null` where the CLI gives none.
 */
import { createRequire } from 'node:module';

/** The parts of tlsh 1.0.8 used here; it ships no types. */
interface ProcessedBuckets {
  buildDigest(): { toString(): string };
}

const require = createRequire(import.meta.url);
const pearsonHash = require('tlsh/lib/buckets/pearson-hash') as (bytes: number[]) => number;
const ProcessedBucketsClass = require('tlsh/lib/buckets/processed-buckets') as new (
  checksum: number[],
  buckets: number[],
  length: number,
  quartiles: unknown,
) => ProcessedBuckets;
const QuartilesClass = require('tlsh/lib/buckets/quartiles') as new (buckets: number[]) => unknown;

/** TLSH's Pearson permutation, read out of the package: hashing the single byte x gives T[x]. */
const T = Uint8Array.from({ length: 256 }, (_, x) => pearsonHash([x]));
/** The first two steps of a salted hash, T[T[salt] ^ x], for the checksum's salt and the triplets'. */
const salted = (salt: number) => Uint8Array.from({ length: 256 }, (_, x) => T[T[salt]! ^ x]!);
const [S0, S2, S3, S5, S7, S11, S13] = [0, 2, 3, 5, 7, 11, 13].map(salted) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];

/** The npm package's version, for readiness. */
export const TLSH_JS_VERSION = (require('tlsh/package.json') as { version: string }).version;

/** TLSH 3.4.4 hashes inputs of at least 256 bytes (the npm package wants 512, so it is not asked). */
const MIN_BYTES = 256;
/** …whose first 128 buckets are more than half non-empty ("cannot hash" otherwise). */
const BUCKETS = 256;
const CHECKED_BUCKETS = 128;
const MIN_NONZERO = CHECKED_BUCKETS / 2;

/**
 * `T1` + 70 upper-case hex digits, or null when the input is too short or too uniform.
 * The bucket loop is the package's (lib/buckets/bucket-processor.js) restated over a lookup table:
 * the package allocates seven objects per input byte and hashes about 6 MB/s, and its entry point
 * takes a latin1 string and refuses inputs of 256–511 bytes that the CLI hashes. Quartiles, body,
 * length and checksum encoding and the digest text are the package's.
 */
export function tlshDigest(data: Uint8Array): string | null {
  const n = data.length;
  if (n < MIN_BYTES) return null;
  const counts = new Uint32Array(BUCKETS);
  // A 5-byte window: a is the newest byte, e the oldest. Counting starts once it is full.
  let e = data[0]!;
  let d = data[1]!;
  let c = data[2]!;
  let b = data[3]!;
  let checksum = 0;
  for (let i = 4; i < n; i++) {
    const a = data[i]!;
    // Pearson hashes of (salt, x, y, z): T[T[T[T[salt] ^ x] ^ y] ^ z].
    checksum = T[T[S0[a]! ^ b]! ^ checksum]!;
    counts[T[T[S2[a]! ^ b]! ^ c]!]!++;
    counts[T[T[S3[a]! ^ b]! ^ d]!]!++;
    counts[T[T[S5[a]! ^ c]! ^ d]!]!++;
    counts[T[T[S7[a]! ^ c]! ^ e]!]!++;
    counts[T[T[S11[a]! ^ b]! ^ e]!]!++;
    counts[T[T[S13[a]! ^ d]! ^ e]!]!++;
    e = d;
    d = c;
    c = b;
    b = a;
  }
  let nonzero = 0;
  for (let i = 0; i < CHECKED_BUCKETS; i++) if (counts[i]! > 0) nonzero++;
  if (nonzero <= MIN_NONZERO) return null;
  const buckets = Array.from(counts);
  const processed = new ProcessedBucketsClass([checksum], buckets, n, new QuartilesClass(buckets));
  return `T1${processed.buildDigest().toString()}`;
}
