/** The intake's handle on a received file: hashes and size known, bytes staged in the blob store, not yet accepted. */
import type { FileHashes } from '../../core/hashes.js';
import type { StagedBlob } from '../../store/ports/blob-store.js';

/** Opaque to callers: only the intake commits or discards the bytes behind it, once. */
export interface StagedFile extends Readonly<FileHashes> {
  readonly size: number;
}

/** Staging handles of files not yet committed or discarded; a spent file has none. */
const blobsOf = new WeakMap<StagedFile, StagedBlob>();

export function stagedFile(facts: FileHashes & { size: number }, blob: StagedBlob): StagedFile {
  const file: StagedFile = Object.freeze({ md5: facts.md5, sha1: facts.sha1, sha256: facts.sha256, size: facts.size });
  blobsOf.set(file, blob);
  return file;
}

/** The staging handle, still owned by `file`; undefined once the file was committed or discarded. */
export function blobOf(file: StagedFile): StagedBlob | undefined {
  return blobsOf.get(file);
}

/** Takes the staging handle out of `file`, so it is committed or discarded once; undefined when already spent. */
export function takeBlob(file: StagedFile): StagedBlob | undefined {
  const blob = blobsOf.get(file);
  blobsOf.delete(file);
  return blob;
}
