// The file-system blob store over a temporary directory, for tests: plus a view of what is staged.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../../../store/blob-fs/fs-blob-store.js';

export class TempBlobStore extends FsBlobStore {
  static async create(prefix = 'assay-blobs-'): Promise<TempBlobStore> {
    return new TempBlobStore(await mkdtemp(path.join(tmpdir(), prefix)));
  }

  /** Files currently in staging (`<owner dir>/<name>`, a directory per process); tests assert none is left after a refused upload. */
  async staged(): Promise<string[]> {
    const root = path.join(this.root, '.staging');
    const owners = await readdir(root);
    return (await Promise.all(owners.map(async (owner) => (await readdir(path.join(root, owner))).map((name) => `${owner}/${name}`)))).flat();
  }

  async destroy(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
