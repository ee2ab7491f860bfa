/**
 * Content-addressed samples in an S3-compatible bucket: `<prefix>/<aa>/<bb>/<sha256>`.
 *
 * Staging is local (tools such as 7zz and the upload's hashing threads are lent a path), in a
 * FsBlobStore used only for its staging and its sweep of a crashed process's files. The first lend
 * of a fresh staged file is its writer's (the upload's hash chain, or whoever fills it): while the
 * writer writes, a multipart upload to `<prefix>/.staging/<id>` follows the growing file
 * (growing-file-reader.ts; bounded memory: `partSize` × `queueSize`), and it finishes in the
 * background while the intake goes on with the request. A file taken over whole (`stageFile`) is
 * uploaded the same way at once. Commit waits for the upload, copies it server-side to its sha256
 * key and deletes the staging object, so accepting an upload is one copy rather than a transfer.
 * Discard aborts the upload and deletes what it wrote.
 *
 * Leftovers of crashed processes (staging objects, unfinished multipart uploads) are the bucket's
 * lifecycle rules' to remove (docs/deploy.md).
 */
import { createWriteStream, statSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError } from '../../core/errors.js';
import { FsBlobStore } from '../blob-fs/fs-blob-store.js';
import type { BlobStore, StagedBlob } from '../ports/blob-store.js';
import { GrowingFileReader, type WriterOutcome } from './growing-file-reader.js';

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash; may be empty. */
  prefix: string;
}

export interface S3BlobStoreOptions {
  location: S3Location;
  /** Endpoint, region, credentials, path style: see `s3ClientConfig`. */
  client: S3ClientConfig;
  /** Local directory for staging files and the copies lent to engines (on the data disk). */
  workDir: string;
  /** Multipart part size in bytes (S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once per file. */
  queueSize?: number;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MIB = 1024 * 1024;

/** Parses `s3://bucket/some/prefix` (the prefix may be absent). */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!match) throw new Error(`Not an S3 location (s3://bucket/prefix): ${url}`);
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** Settings for S3-compatible servers as well as AWS. */
export function s3ClientConfig(options: {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}): S3ClientConfig {
  return {
    region: options.region ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    // Without explicit credentials the SDK's default chain applies (instance roles, profiles).
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Checksums only where S3 requires them: several S3-compatible servers reject the newer
    // default (CRC32 trailers on every upload), and our own sha256 covers integrity.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

interface Staging {
  /** The background upload to the staging key, once the file is written. */
  upload?: { done: Promise<{ size: number }>; abort(): Promise<void> };
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly local: FsBlobStore;
  private readonly staging = new Map<string, Staging>();
  private readonly location: S3Location;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3BlobStoreOptions) {
    this.client = new S3Client(options.client);
    this.location = options.location;
    this.local = new FsBlobStore(path.join(options.workDir, 'staging'));
    this.partSize = Math.max(5 * MIB, options.partSize ?? 8 * MIB);
    this.queueSize = options.queueSize ?? 4;
  }

  async stage(): Promise<StagedBlob> {
    const staged = await this.local.stage();
    this.staging.set(staged.id, {});
    return staged;
  }

  async stageFile(localPath: string): Promise<StagedBlob> {
    const staged = await this.local.stageFile(localPath);
    const entry: Staging = {};
    this.staging.set(staged.id, entry);
    await this.local.withStagedFile(staged, async (file) => void (entry.upload = this.startUpload(staged, file, Promise.resolve(sizeOf(file)))));
    return staged;
  }

  async withStagedFile<T>(staged: StagedBlob, fn: (path: string) => Promise<T>): Promise<T> {
    const entry = this.staging.get(staged.id);
    return this.local.withStagedFile(staged, async (file) => {
      if (!entry || entry.upload) return fn(file);
      // The first lend is the writer's: upload what it writes as it writes it.
      let finished!: (outcome: WriterOutcome) => void;
      entry.upload = this.startUpload(staged, file, new Promise<WriterOutcome>((resolve) => (finished = resolve)));
      try {
        const result = await fn(file);
        finished(sizeOf(file));
        return result;
      } catch (error) {
        finished({ error: error instanceof Error ? error : new Error(String(error)) });
        throw error;
      }
    });
  }

  async commit(staged: StagedBlob, sha256: string): Promise<void> {
    const key = this.blobKey(sha256);
    const entry = this.staging.get(staged.id);
    if (!entry) throw new Error(`Not a staging file of this blob store: ${staged.id}`);
    if (await this.has(sha256)) {
      await this.discard(staged);
      return;
    }
    const size = await this.local.withStagedFile(staged, async (file) => (await stat(file)).size);
    let uploaded = await entry.upload?.done.catch(() => undefined);
    // Not started, failed, or the file changed after its first lend: send it now.
    if (uploaded?.size !== size) {
      await entry.upload?.abort();
      entry.upload = await this.local.withStagedFile(staged, async (file) => this.startUpload(staged, file, Promise.resolve(sizeOf(file))));
      uploaded = await entry.upload.done;
    }
    await this.client.send(
      new CopyObjectCommand({ Bucket: this.location.bucket, Key: key, CopySource: copySource(this.location.bucket, this.stagingKey(staged)) }),
    );
    await this.discard(staged);
  }

  async discard(staged: StagedBlob): Promise<void> {
    const entry = this.staging.get(staged.id);
    this.staging.delete(staged.id);
    try {
      if (entry?.upload) {
        await entry.upload.abort();
        await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.stagingKey(staged) }));
      }
    } catch {
      // discarding is cleanup after a failure; what is left is the lifecycle rules' to remove
    }
    await this.local.discard(staged);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.blobKey(sha256) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async withLocalFile<T>(sha256: string, fn: (path: string) => Promise<T>): Promise<T> {
    const { stream } = await this.openRead(sha256);
    // The copy is a local staging file: removed afterwards, and swept at the next start after a crash.
    const copy = await this.local.stage();
    try {
      return await this.local.withStagedFile(copy, async (file) => {
        await pipeline(stream, createWriteStream(file));
        await chmod(file, 0o400);
        return fn(file);
      });
    } finally {
      stream.destroy();
      await this.local.discard(copy);
    }
  }

  async openRead(sha256: string): Promise<{ stream: Readable; size: number }> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.blobKey(sha256) }));
      return { stream: object.Body as Readable, size: Number(object.ContentLength ?? 0) };
    } catch (error) {
      if (isNotFound(error)) throw new AppError('NotFoundError', `Sample ${sha256} is not stored`, { cause: error });
      throw error;
    }
  }

  /** Sweeps the local staging area (FsBlobStore.purgeStaging); staging objects in the bucket are its lifecycle rules' to remove. */
  purgeStaging(olderThanMs: number): Promise<number> {
    return this.local.purgeStaging(olderThanMs);
  }

  /** Closes the HTTP connections; in-flight staging uploads are aborted. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.staging.values()].map((entry) => entry.upload?.abort()));
    this.client.destroy();
  }

  /** Uploads `file` to its staging key as it grows, until `writerDone` says how long it is. */
  private startUpload(staged: StagedBlob, file: string, writerDone: Promise<WriterOutcome>): NonNullable<Staging['upload']> {
    const body = new GrowingFileReader(file, writerDone);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: this.stagingKey(staged), Body: body },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    const done = upload.done().then(() => ({ size: body.bytesRead }));
    // Awaited by commit; a failure here is retried there, never left unheard.
    done.catch(() => undefined);
    return {
      done,
      abort: async () => {
        // Also stops the reader if it is still waiting for a writer that will not finish.
        body.destroy();
        await upload.abort().catch(() => undefined);
        await done.catch(() => undefined);
      },
    };
  }

  private blobKey(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError('InvalidArgumentError', `Not a sha256: ${sha256}`);
    return this.key(`${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`);
  }

  private stagingKey(staged: StagedBlob): string {
    return this.key(`.staging/${staged.id}`);
  }

  private key(rest: string): string {
    return this.location.prefix ? `${this.location.prefix}/${rest}` : rest;
  }
}

function sizeOf(file: string): WriterOutcome {
  try {
    return { size: statSync(file).size };
  } catch (error) {
    return { error: error as Error };
  }
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) return error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404;
  return false;
}
