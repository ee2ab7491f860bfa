/**
 * Content-addressed samples on local disk: `<root>/<aa>/<bb>/<sha256>`, written through a staging
 * directory inside the root so that accepting an upload is one atomic rename.
 */
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.js';
import { randomHex } from '../../core/ids.js';
import type { BlobStore, StagedBlob } from '../ports/blob-store.js';

export interface FsBlobStoreOptions {
  /** Staging files older than this are leftovers of a crashed upload and are removed at start-up. */
  staleStagingMs?: number;
  now?: () => number;
}

const SHA256 = /^[0-9a-f]{64}$/;
const HOUR_MS = 60 * 60 * 1000;

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export class FsBlobStore implements BlobStore {
  readonly root: string;
  private readonly stagingDir: string;

  /** Creates the directories and sweeps stale staging files; synchronous so start-up order is simple. */
  constructor(root: string, options: FsBlobStoreOptions = {}) {
    this.root = path.resolve(root);
    this.stagingDir = path.join(this.root, '.staging');
    mkdirSync(this.stagingDir, { recursive: true });
    this.sweepStaging((options.now ?? Date.now)() - (options.staleStagingMs ?? HOUR_MS));
  }

  static async open(root: string, options: FsBlobStoreOptions = {}): Promise<FsBlobStore> {
    return new FsBlobStore(root, options);
  }

  async stage(): Promise<StagedBlob> {
    const file = path.join(this.stagingDir, `${Date.now()}-${randomHex(8)}`);
    // Create it now ('wx': never reuse a name), so the caller owns a real file it may open for writing.
    await (await open(file, 'wx', 0o600)).close();
    return { path: file };
  }

  async commit(staged: StagedBlob, sha256: string): Promise<void> {
    const source = this.stagedPath(staged);
    const target = this.blobPath(sha256);
    if (await this.has(sha256)) {
      await this.discard(staged);
      return;
    }
    // Flush the data before the rename publishes it, so a crash never leaves a named, truncated sample.
    const handle = await open(source, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(source, 0o444);
    await mkdir(path.dirname(target), { recursive: true });
    // Two commits of the same content may race here; rename replaces atomically with identical bytes.
    await rename(source, target);
    await this.syncDirectory(path.dirname(target));
  }

  async discard(staged: StagedBlob): Promise<void> {
    try {
      await unlink(this.stagedPath(staged));
    } catch {
      // discarding is cleanup after a failure; a missing or foreign file is not worth a second error
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.blobPath(sha256))).isFile();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async acquireLocal(sha256: string): Promise<{ path: string; release(): Promise<void> }> {
    const file = this.blobPath(sha256);
    await this.statBlob(sha256);
    // The blob itself is the local copy; nothing to clean up.
    return { path: file, release: async () => {} };
  }

  async openRead(sha256: string): Promise<{ stream: Readable; size: number }> {
    const { size } = await this.statBlob(sha256);
    return { stream: createReadStream(this.blobPath(sha256)), size };
  }

  private blobPath(sha256: string): string {
    // The hash becomes a path; anything but lowercase hex could walk out of the root.
    if (!SHA256.test(sha256)) throw new AppError('InvalidArgumentError', `Not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private stagedPath(staged: StagedBlob): string {
    const file = path.resolve(staged.path);
    if (path.dirname(file) !== this.stagingDir) throw new Error(`Not a staging file of this blob store: ${staged.path}`);
    return file;
  }

  private async statBlob(sha256: string): Promise<{ size: number }> {
    try {
      return await stat(this.blobPath(sha256));
    } catch (error) {
      if (isNotFound(error)) throw new AppError('NotFoundError', `Sample ${sha256} is not stored`, { cause: error });
      throw error;
    }
  }

  /** Makes a rename durable; some file systems refuse to fsync a directory, which only costs durability. */
  private async syncDirectory(dir: string): Promise<void> {
    try {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // best effort: see above
    }
  }

  /**
   * Removes staging files and unpack directories last modified before `olderThanMs` (Unix ms):
   * leftovers of a crashed upload. A file being written is modified as it grows, so it stays.
   * Returns how many were removed; run by the retention purge while the server runs.
   */
  async purgeStaging(olderThanMs: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.stagingDir)) {
      const file = path.join(this.stagingDir, name);
      try {
        if ((await stat(file)).mtimeMs >= olderThanMs) continue;
        await rm(file, { force: true, recursive: true });
        removed++;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return removed;
  }

  private sweepStaging(olderThanMs: number): void {
    for (const name of readdirSync(this.stagingDir)) {
      const file = path.join(this.stagingDir, name);
      try {
        if (statSync(file).mtimeMs < olderThanMs) rmSync(file, { force: true, recursive: true });
      } catch {
        // another process may be sweeping the same directory
      }
    }
  }
}
