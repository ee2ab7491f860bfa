// The file-system blob store over a temporary directory, for tests: plus a view of what is staged.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../../../store/blob-fs/fs-blob-store.js';

export class TempBlobStore extends FsBlobStore {
  static async create(prefix = 'assay-blobs-'): Promise<TempBlobStore> {
    return new TempBlobStore(await mkdtemp(path.join(tmpdir(), prefix)));
  }

  /** Names of files currently in staging; tests assert this is empty after a refused upload. */
  async staged(): Promise<string[]> {
    return readdir(path.join(this.root, '.staging'));
  }

  async destroy(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
