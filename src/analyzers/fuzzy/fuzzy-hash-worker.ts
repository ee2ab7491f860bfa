/**
 * Worker-thread entry for the fuzzy analyzer: reads a file once and computes its ssdeep digest
 * and, up to a size limit, its TLSH. Both are pure JavaScript and take seconds on large files, so
 * they run here; the synchronous reads block only this thread.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { serveRequests } from '../../threads/thread-pool.js';
import { SsdeepHasher, ssdeepDigest } from './ssdeep-digest.js';
import { tlshDigest } from './tlsh-digest.js';

export interface FuzzyHashRequest {
  path: string;
  /** Larger files get no TLSH, which needs the whole file in memory; they are read in chunks for ssdeep. */
  tlshMaxBytes: number;
}

export type FuzzyHashResult =
  | {
      kind: 'digests';
      size: number;
      ssdeep: string;
      /** null: TLSH declines the file (too small or too uniform); undefined: above tlshMaxBytes. */
      tlsh?: string | null;
    }
  | { kind: 'unreadable'; message: string };

/** Start-up self-test: these are the digests the reference tools (and VirusTotal) give SELF_TEST_TEXT. */
const SELF_TEST_TEXT = 'The quick brown fox jumps over the lazy dog.\n'.repeat(40);
const SELF_TEST = {
  ssdeep: '6:FHIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDId:F1',
  tlsh: 'T1EB31024A21181794658A18C8438D94B2D2C8C510612114116530614219082259CD8551',
};
/** Read size for files hashed by ssdeep alone. */
const CHUNK_BYTES = 1 << 20;

function hashFile(request: FuzzyHashRequest): FuzzyHashResult {
  let fd: number;
  try {
    fd = openSync(request.path, 'r');
  } catch (err) {
    return { kind: 'unreadable', message: (err as Error).message };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { kind: 'unreadable', message: `${request.path} is not a regular file` };
    const size = stat.size;
    if (size <= request.tlshMaxBytes) {
      const data = readUpTo(fd, Buffer.allocUnsafe(size));
      return { kind: 'digests', size: data.length, ssdeep: ssdeepDigest(data), tlsh: tlshDigest(data) };
    }
    // A file that changes while it is read is hashed as far as the size it had when opened.
    const hasher = new SsdeepHasher(size);
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let read = 0;
    while (read < size) {
      const got = readUpTo(fd, chunk.subarray(0, Math.min(CHUNK_BYTES, size - read)), read);
      if (got.length === 0) break;
      hasher.update(got);
      read += got.length;
    }
    return { kind: 'digests', size: read, ssdeep: hasher.digest() };
  } catch (err) {
    return { kind: 'unreadable', message: (err as Error).message };
  } finally {
    closeSync(fd);
  }
}

/** Fills `into` from `position` on, or stops at end of file; the bytes read. */
function readUpTo(fd: number, into: Buffer, position = 0): Buffer {
  let filled = 0;
  while (filled < into.length) {
    const n = readSync(fd, into, filled, into.length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return into.subarray(0, filled);
}

serveRequests<FuzzyHashRequest, FuzzyHashResult>(async () => {
  const text = Buffer.from(SELF_TEST_TEXT);
  const got = { ssdeep: ssdeepDigest(text), tlsh: tlshDigest(text) };
  for (const what of ['ssdeep', 'tlsh'] as const) {
    if (got[what] !== SELF_TEST[what]) throw new Error(`${what} self-test gave ${got[what]}, expected ${SELF_TEST[what]}`);
  }
  return { handle: (request) => ({ value: hashFile(request) }) };
});
