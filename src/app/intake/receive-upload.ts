// Receives an upload body into blob staging, hashing it (md5, sha1, sha256) in one streaming pass.
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { AppError, isAppError } from '../../core/errors.js';
import type { BlobStore, StagedBlob } from '../../store/ports/blob-store.js';
import { sharedHashPool, type HashPool, type HashSession } from './hash-pool.js';
import { stagedFile, type StagedFile } from './staged-file.js';

/** Bytes per batch handed to the workers at once: large enough that messaging costs little. */
const BATCH_BYTES = 1024 * 1024;
/**
 * Batches being hashed and written at once. This bounds memory (8 MiB per upload; batches move
 * between threads, never copied) and is the backpressure: while all are busy the body is not
 * read, so the socket stops being drained and the sender slows down.
 */
const MAX_BATCHES_IN_FLIGHT = 8;

export interface ReceiveUploadOptions {
  maxBytes: number;
  blobs: BlobStore;
  /** Defaults to the process-wide pool. */
  hashPool?: Pick<HashPool, 'open'>;
}

/**
 * The main thread only parses and batches; md5, sha1+sha256 and the file write each run on a
 * worker thread of their own, in parallel (see hash-pool.ts), because on one thread the three
 * hashes alone run at about a third of `sha256sum`'s speed.
 */
export async function receiveUpload(body: Readable, options: ReceiveUploadOptions): Promise<StagedFile> {
  const { blobs } = options;
  // The body may fail before it is read (a client abort while staging is prepared); unheard, that
  // 'error' would be uncaught. Reading it later still reports the error.
  const ignoreUntilRead = (): void => {};
  body.on('error', ignoreUntilRead);
  let staged: StagedBlob | undefined;
  try {
    staged = await blobs.stage();
    const facts = await blobs.withStagedFile(staged, (stagingFile) => receiveInto(stagingFile, body, options));
    return stagedFile(facts, staged);
  } catch (error) {
    if (staged) await blobs.discard(staged);
    throw error;
  } finally {
    body.off('error', ignoreUntilRead);
  }
}

async function receiveInto(stagingFile: string, body: Readable, options: ReceiveUploadOptions) {
  let file: FileHandle | undefined;
  let session: HashSession | undefined;
  const inFlight: Promise<void>[] = [];
  try {
    file = await open(stagingFile, 'w');
    session = (options.hashPool ?? sharedHashPool()).open({ fd: file.fd });
    const size = await pump(body, session, options.maxBytes, inFlight);
    if (size === 0) throw new AppError('BadRequestError', 'The file is empty');
    const hashes = await session.digest();
    await file.close();
    file = undefined;
    return { ...hashes, size };
  } catch (error) {
    // Workers may still be writing batches through the descriptor; let them finish before it closes.
    await Promise.allSettled(inFlight);
    session?.abort();
    await file?.close().catch(() => undefined);
    throw error;
  }
}

async function pump(body: Readable, session: HashSession, maxBytes: number, inFlight: Promise<void>[]): Promise<number> {
  const spare: ArrayBuffer[] = [];
  let batch = new ArrayBuffer(BATCH_BYTES);
  let batchView = new Uint8Array(batch);
  let filled = 0;
  let size = 0;
  // A failed write or hash must end the upload now, not when the sender finishes sending.
  let failure: unknown;
  const failed = (error: unknown): void => {
    failure ??= error;
    body.destroy();
  };

  const flush = async (): Promise<void> => {
    const task = session.update(batch, filled, size - filled).then((returned) => void spare.push(returned));
    // Awaited later, in order, or settled by the error path.
    task.catch(failed);
    inFlight.push(task);
    batch = spare.pop() ?? new ArrayBuffer(BATCH_BYTES);
    batchView = new Uint8Array(batch);
    filled = 0;
    if (inFlight.length >= MAX_BATCHES_IN_FLIGHT) await inFlight.shift();
  };

  const chunks = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await chunks.next();
      } catch (error) {
        throw failure ?? sourceError(error);
      }
      if (failure) throw failure;
      if (next.done) break;
      const chunk = toBytes(next.value);
      if (size + chunk.length > maxBytes) throw new AppError('PayloadTooLargeError', `The file is larger than the limit of ${maxBytes} bytes`);
      for (let offset = 0; offset < chunk.length; ) {
        const n = Math.min(chunk.length - offset, BATCH_BYTES - filled);
        batchView.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        size += n;
        offset += n;
        if (filled === BATCH_BYTES) await flush();
      }
    }
    if (filled > 0) await flush();
    while (inFlight.length > 0) await inFlight.shift();
    return size;
  } catch (error) {
    // Stop reading: destroys the body so the sender's data is no longer pulled in.
    await chunks.return?.().catch(() => undefined);
    throw error;
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value);
  throw new TypeError('upload body must yield bytes');
}

/** A body that fails to arrive (client abort, malformed framing) is the sender's problem: 4xx. */
function sourceError(error: unknown): unknown {
  if (isAppError(error)) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('BadRequestError', `The upload could not be read: ${message}`, { cause: error });
}
