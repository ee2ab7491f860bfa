/** Storage port for samples: content-addressed blobs keyed by sha256. */
import type { Readable } from 'node:stream';

/**
 * A file being written into the blob store before its hash is known. Opaque: only the store that
 * staged it can resolve it, so no caller builds or keeps a path into the store.
 */
export interface StagedBlob {
  readonly id: string;
}

export interface BlobStore {
  /**
   * A fresh, empty staging file. Every adapter stages on local disk, so writers and tools can be
   * lent its path (withStagedFile). The first lend is the writer's: an object-store adapter uploads
   * what it writes while it writes, and copies the upload into place at commit.
   */
  stage(): Promise<StagedBlob>;
  /** Takes over the local file at `localPath` as a staged blob: it is moved (copied, then removed, across file systems). */
  stageFile(localPath: string): Promise<StagedBlob>;
  /**
   * Lends the staged file's local path to `fn`, to write it or hand it to a tool; the path is not
   * to be used after `fn` settles.
   */
  withStagedFile<T>(staged: StagedBlob, fn: (path: string) => Promise<T>): Promise<T>;
  /** Moves a staged file into place under its sha256; if present already, drops the staged copy. */
  commit(staged: StagedBlob, sha256: string): Promise<void>;
  /** Removes a staged file (failed or refused upload). Never throws, also for one already committed or discarded. */
  discard(staged: StagedBlob): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /**
   * Materialises a local copy of a stored blob for engines and lends its read-only path to `fn`:
   * the fs adapter lends its own file, an object-store adapter downloads to a temp file and
   * removes it once `fn` settles. NotFoundError when the blob is not stored.
   */
  withLocalFile<T>(sha256: string, fn: (path: string) => Promise<T>): Promise<T>;
  openRead(sha256: string): Promise<{ stream: Readable; size: number }>;
}
