// receiveUpload against a real temporary blob directory: hashes, limits, cleanup, backpressure.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../../core/errors.js';
import { HashPool, type HashSession } from './hash-pool.js';
import { receiveUpload } from './receive-upload.js';
import { takeBlob, type StagedFile } from './staged-file.js';
import { TempBlobStore } from './testing/temp-blob-store.js';

const digest = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

/** Yields `data` in chunks of varying size so batch boundaries fall mid-chunk. */
function chunked(data: Buffer): Readable {
  const sizes = [1, 7, 65536, 1000, 3 * 1024 * 1024 + 5, 17];
  return Readable.from(
    (function* () {
      for (let at = 0, i = 0; at < data.length; i++) {
        const n = sizes[i % sizes.length]!;
        yield data.subarray(at, at + n);
        at += n;
      }
    })(),
  );
}

describe('receiveUpload', () => {
  let blobs: TempBlobStore;
  before(async () => {
    blobs = await TempBlobStore.create();
  });
  after(async () => {
    await blobs.destroy();
  });
  const discard = (upload: StagedFile) => blobs.discard(takeBlob(upload)!);

  it('hashes like node:crypto and stages the exact bytes', async () => {
    const data = randomBytes(9 * 1024 * 1024 + 123);
    const upload = await receiveUpload(chunked(data), { maxBytes: data.length, blobs });
    assert.deepEqual(
      { md5: upload.md5, sha1: upload.sha1, sha256: upload.sha256, size: upload.size },
      { md5: digest('md5', data), sha1: digest('sha1', data), sha256: digest('sha256', data), size: data.length },
    );
    const staged = takeBlob(upload)!;
    assert.ok((await blobs.withStagedFile(staged, (file) => readFile(file))).equals(data));
    await blobs.discard(staged);
    assert.deepEqual(await blobs.staged(), []);
  });

  it('handles a one-byte body and concurrent uploads sharing the workers', async () => {
    const bodies = [Buffer.from('x'), randomBytes(2_000_000), randomBytes(1024 * 1024), randomBytes(10)];
    const uploads = await Promise.all(bodies.map((b) => receiveUpload(chunked(b), { maxBytes: 10_000_000, blobs })));
    uploads.forEach((u, i) => {
      assert.equal(u.sha256, digest('sha256', bodies[i]!));
      assert.equal(u.md5, digest('md5', bodies[i]!));
      assert.equal(u.size, bodies[i]!.length);
    });
    for (const u of uploads) await discard(u);
  });

  it('refuses a body over maxBytes, stops reading and leaves no staging file', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled += 65536;
        this.push(Buffer.alloc(65536, 1));
      },
    });
    await assert.rejects(
      receiveUpload(endless, { maxBytes: 5 * 1024 * 1024, blobs }),
      (e: unknown) => e instanceof AppError && e.code === 'PayloadTooLargeError' && e.status === 413,
    );
    assert.ok(endless.destroyed, 'the body is destroyed, not drained');
    assert.ok(pulled < 7 * 1024 * 1024, `read ${pulled} bytes`);
    assert.deepEqual(await blobs.staged(), []);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const data = randomBytes(4096);
    const upload = await receiveUpload(chunked(data), { maxBytes: 4096, blobs });
    assert.equal(upload.size, 4096);
    await discard(upload);
  });

  it('refuses an empty body with BadRequestError and leaves nothing', async () => {
    await assert.rejects(
      receiveUpload(Readable.from([]), { maxBytes: 100, blobs }),
      (e: unknown) => e instanceof AppError && e.code === 'BadRequestError' && e.message === 'The file is empty',
    );
    assert.deepEqual(await blobs.staged(), []);
  });

  it('turns a failing body into BadRequestError and leaves nothing', async () => {
    // The body breaks on its second read, i.e. once the receiver is consuming it (a timer could
    // fire before the receiver listens, on a loaded machine).
    let reads = 0;
    const body = new Readable({
      read() {
        reads += 1;
        if (reads === 1) this.push(randomBytes(3 * 1024 * 1024));
        else this.destroy(new Error('aborted'));
      },
    });
    await assert.rejects(
      receiveUpload(body, { maxBytes: 100_000_000, blobs }),
      (e: unknown) => e instanceof AppError && e.code === 'BadRequestError' && /aborted/.test(e.message),
    );
    assert.deepEqual(await blobs.staged(), []);
  });

  it('applies backpressure: a slow hasher holds back reading of the body', async () => {
    const total = 48 * 1024 * 1024;
    let produced = 0;
    let hashed = 0;
    let worstLead = 0;
    const body = new Readable({
      highWaterMark: 65536,
      read() {
        if (produced >= total) return void this.push(null);
        produced += 65536;
        worstLead = Math.max(worstLead, produced - hashed);
        this.push(Buffer.alloc(65536, 7));
      },
    });
    // A hasher that takes 2 ms per batch: far slower than the body can be produced.
    const slowPool = {
      open: (): HashSession => ({
        update: (buffer, length) => new Promise<ArrayBuffer>((resolve) => setTimeout(() => ((hashed += length), resolve(buffer)), 2)),
        digest: async () => ({ md5: 'm', sha1: 's', sha256: 'x' }),
        abort: () => undefined,
      }),
    };
    const upload = await receiveUpload(body, { maxBytes: total, blobs, hashPool: slowPool });
    assert.equal(upload.size, total);
    // 8 batches in flight + the one being filled + stream buffers, not the 48 MiB offered.
    assert.ok(worstLead <= 10 * 1024 * 1024, `read ${worstLead} bytes ahead of the hasher`);
    await discard(upload);
  });

  it('works with other groupings (one worker per algorithm, the sha1 one writing)', async () => {
    const pool = new HashPool([{ algorithms: ['md5'] }, { algorithms: ['sha1'], writes: true }, { algorithms: ['sha256'] }]);
    const data = randomBytes(3_000_001);
    const upload = await receiveUpload(chunked(data), { maxBytes: data.length, blobs, hashPool: pool });
    assert.equal(upload.sha1, digest('sha1', data));
    assert.equal(upload.sha256, digest('sha256', data));
    await discard(upload);
    await pool.close();
  });

  it('fails cleanly, leaving nothing, when the hash workers die mid-upload', async () => {
    const pool = new HashPool();
    const body = new PassThrough();
    const receiving = receiveUpload(body, { maxBytes: 100_000_000, blobs, hashPool: pool });
    body.write(randomBytes(3 * 1024 * 1024));
    setTimeout(() => void pool.close(), 50);
    await assert.rejects(receiving, /hash (pool closed|worker exited)/);
    assert.deepEqual(await blobs.staged(), []);
    await assert.rejects(receiveUpload(Readable.from([Buffer.alloc(1)]), { maxBytes: 10, blobs, hashPool: pool }), /hash pool closed/);
    assert.deepEqual(await blobs.staged(), []);
  });

  it('fails with the write error, and discards, when the disk refuses the data', async () => {
    // /dev/full accepts open() and fails every write with ENOSPC; discard must not touch it.
    const discarded: string[] = [];
    const full = {
      stage: async () => ({ id: 'full' }),
      withStagedFile: <T>(_staged: unknown, fn: (file: string) => Promise<T>) => fn('/dev/full'),
      discard: async (s: { id: string }) => void discarded.push(s.id),
    };
    await assert.rejects(
      receiveUpload(chunked(randomBytes(3 * 1024 * 1024)), { maxBytes: 10_000_000, blobs: full as unknown as TempBlobStore }),
      /could not write the upload: .*ENOSPC|no space/i,
    );
    assert.deepEqual(discarded, ['full']);
  });
});
