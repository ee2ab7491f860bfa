// A BlobStore over a temporary directory for tests: real files, and a view of what is staged.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BlobStore, StagedBlob } from '../../../store/ports/blob-store.js';
import { randomHex } from '../../../core/ids.js';

export class TempBlobStore implements BlobStore {
  private constructor(readonly root: string) {}

  static async create(prefix = 'assay-blobs-'): Promise<TempBlobStore> {
    const root = await mkdtemp(path.join(tmpdir(), prefix));
    await mkdir(path.join(root, 'staging'));
    await mkdir(path.join(root, 'objects'));
    return new TempBlobStore(root);
  }

  get stagingDir(): string {
    return path.join(this.root, 'staging');
  }

  /** Names of files currently in staging; tests assert this is empty after a refused upload. */
  async staged(): Promise<string[]> {
    return readdir(this.stagingDir);
  }

  async stage(): Promise<StagedBlob> {
    return { path: path.join(this.stagingDir, `upload-${randomHex(8)}`) };
  }

  async commit(staged: StagedBlob, sha256: string): Promise<void> {
    const target = this.objectPath(sha256);
    if (await this.has(sha256)) await unlink(staged.path);
    else await rename(staged.path, target);
  }

  async discard(staged: StagedBlob): Promise<void> {
    await rm(staged.path, { force: true });
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.objectPath(sha256)).then(
      () => true,
      () => false,
    );
  }

  async acquireLocal(sha256: string): Promise<{ path: string; release(): Promise<void> }> {
    return { path: this.objectPath(sha256), release: async () => undefined };
  }

  async openRead(sha256: string) {
    const { size } = await stat(this.objectPath(sha256));
    return { stream: createReadStream(this.objectPath(sha256)), size };
  }

  async destroy(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private objectPath(sha256: string): string {
    return path.join(this.root, 'objects', sha256);
  }
}
