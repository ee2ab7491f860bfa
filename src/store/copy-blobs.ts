/**
 * Copies every blob of one store into another (`assay migrate-store`), checking each copy's sha256
 * on the way. Blobs the target has already are skipped, so an interrupted copy is resumed by
 * running it again.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from './ports/blob-store.js';

export interface BlobCopyReport {
  copied: number;
  skipped: number;
  bytes: number;
  /** Blobs whose bytes do not hash to their name: not copied. */
  corrupt: string[];
}

export async function copyBlobs(
  from: Pick<BlobStore, 'withLocalFile'> & { list(): AsyncIterable<string> },
  to: BlobStore,
  onBlob?: (sha256: string, outcome: 'copied' | 'skipped' | 'corrupt') => void,
): Promise<BlobCopyReport> {
  const report: BlobCopyReport = { copied: 0, skipped: 0, bytes: 0, corrupt: [] };
  for await (const sha256 of from.list()) {
    if (await to.has(sha256)) {
      report.skipped += 1;
      onBlob?.(sha256, 'skipped');
      continue;
    }
    const staged = await to.stage();
    try {
      const { digest, size } = await from.withLocalFile(sha256, (source) => to.withStagedFile(staged, (target) => copyHashing(source, target)));
      if (digest !== sha256) {
        await to.discard(staged);
        report.corrupt.push(sha256);
        onBlob?.(sha256, 'corrupt');
        continue;
      }
      await to.commit(staged, sha256);
      report.copied += 1;
      report.bytes += size;
      onBlob?.(sha256, 'copied');
    } catch (error) {
      await to.discard(staged);
      throw error;
    }
  }
  return report;
}

async function copyHashing(source: string, target: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(createReadStream(source), tap, createWriteStream(target));
  return { digest: hash.digest('hex'), size };
}
