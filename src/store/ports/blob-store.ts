/** Storage port for samples: content-addressed blobs keyed by sha256. */
import type { Readable } from 'node:stream';

/** A file being written into the blob store before its hash is known. */
export interface StagedBlob {
  /** Local path to write to. */
  path: string;
}

export interface BlobStore {
  /** A fresh staging file on the same file system as the store (so commit is a rename). */
  stage(): Promise<StagedBlob>;
  /** Moves a staged file into place under its sha256; if present already, drops the staged copy. */
  commit(staged: StagedBlob, sha256: string): Promise<void>;
  /** Removes a staged file (failed or refused upload). Never throws for a missing file. */
  discard(staged: StagedBlob): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /** A local path for plugins to read, and a release function for adapters that copy (S3). */
  acquireLocal(sha256: string): Promise<{ path: string; release(): Promise<void> }>;
  openRead(sha256: string): Promise<{ stream: Readable; size: number }>;
}
