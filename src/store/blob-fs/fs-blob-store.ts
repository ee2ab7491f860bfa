/**
 * Content-addressed samples on local disk: `<root>/<aa>/<bb>/<sha256>`, written through a staging
 * directory inside the root so that accepting an upload is one atomic rename.
 *
 * Each store instance stages in its own `<root>/.staging/<host>.<pid>.<random>/`, so the one that
 * opens next can tell a crashed process's leftovers (same host, that process gone) from files a
 * live process is still writing, and remove them at every start rather than an hour later.
 */
import { constants, createReadStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../../core/errors.js';
import { randomHex } from '../../core/ids.js';
import type { BlobStore, StagedBlob } from '../ports/blob-store.js';

export interface FsBlobStoreOptions {
  /**
   * Staging files of a process that cannot be checked (another host, or a reused process id) are
   * taken for leftovers only when older than this; a dead process's on this host go at once.
   */
  staleStagingMs?: number;
  now?: () => number;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** Staging ids are names this store made: a time and random hex, never a path. */
const STAGING_ID = /^[0-9]+-[0-9a-f]{16}$/;
const HOUR_MS = 60 * 60 * 1000;
/** A process's staging directory: host (dots allowed), process id, random suffix. */
const OWNED_DIR = /^(.+)\.(\d+)\.([0-9a-f]+)$/;
const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '_') || 'host';

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export class FsBlobStore implements BlobStore {
  readonly root: string;
  private readonly stagingRoot: string;
  /** This instance's own staging directory inside stagingRoot. */
  private readonly stagingDir: string;

  /** Creates the directories and sweeps stale staging files; synchronous so start-up order is simple. */
  constructor(root: string, options: FsBlobStoreOptions = {}) {
    this.root = path.resolve(root);
    this.stagingRoot = path.join(this.root, '.staging');
    this.stagingDir = path.join(this.stagingRoot, `${HOST}.${process.pid}.${randomHex(4)}`);
    mkdirSync(this.stagingDir, { recursive: true, mode: 0o700 });
    this.sweepStaging((options.now ?? Date.now)() - (options.staleStagingMs ?? HOUR_MS));
  }

  static async open(root: string, options: FsBlobStoreOptions = {}): Promise<FsBlobStore> {
    return new FsBlobStore(root, options);
  }

  async stage(): Promise<StagedBlob> {
    const id = newStagingId();
    // Create it now ('wx': never reuse a name), so the caller owns a real file it may open for writing.
    await (await open(path.join(this.stagingDir, id), 'wx', 0o600)).close();
    return { id };
  }

  async stageFile(localPath: string): Promise<StagedBlob> {
    const id = newStagingId();
    const target = path.join(this.stagingDir, id);
    try {
      await rename(localPath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Another file system: copy ('excl': never over a file of ours), then drop the original.
      await copyFile(localPath, target, constants.COPYFILE_EXCL);
      await unlink(localPath);
    }
    // A moved file keeps its old mtime (an archive's entry date), which the stale-staging sweep would take for a leftover.
    const now = new Date();
    await utimes(target, now, now);
    return { id };
  }

  async withStagedFile<T>(staged: StagedBlob, fn: (path: string) => Promise<T>): Promise<T> {
    return fn(this.stagedPath(staged));
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

  async withLocalFile<T>(sha256: string, fn: (path: string) => Promise<T>): Promise<T> {
    await this.statBlob(sha256);
    // The blob itself is the local copy (read-only since commit); nothing to clean up.
    return fn(this.blobPath(sha256));
  }

  async openRead(sha256: string): Promise<{ stream: Readable; size: number }> {
    const { size } = await this.statBlob(sha256);
    return { stream: createReadStream(this.blobPath(sha256)), size };
  }

  /** Every stored blob's sha256 (for copying the store elsewhere: `assay migrate-store`). */
  async *list(): AsyncIterable<string> {
    const names = async (dir: string, pattern: RegExp) => (await readdir(dir).catch(() => [] as string[])).filter((n) => pattern.test(n)).sort();
    for (const aa of await names(this.root, /^[0-9a-f]{2}$/)) {
      for (const bb of await names(path.join(this.root, aa), /^[0-9a-f]{2}$/)) {
        for (const name of await names(path.join(this.root, aa, bb), SHA256)) if (name.startsWith(aa + bb)) yield name;
      }
    }
  }

  private blobPath(sha256: string): string {
    // The hash becomes a path; anything but lowercase hex could walk out of the root.
    if (!SHA256.test(sha256)) throw new AppError('InvalidArgumentError', `Not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private stagedPath(staged: StagedBlob): string {
    if (!STAGING_ID.test(staged.id)) throw new Error(`Not a staging file of this blob store: ${staged.id}`);
    return path.join(this.stagingDir, staged.id);
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
   * The periodic form of the start-up sweep, run by the retention purge while the server runs:
   * removes dead processes' directories of this host, and anywhere else (this process's own
   * directory included: an upload that failed without discarding) entries untouched since
   * `olderThanMs`. A file being written is modified as it grows, so it stays. Returns how many
   * entries were removed.
   */
  async purgeStaging(olderThanMs: number): Promise<number> {
    let removed = 0;
    const remove = async (entry: string) => {
      await rm(entry, { force: true, recursive: true });
      removed++;
    };
    for (const name of await readdir(this.stagingRoot)) {
      const entry = path.join(this.stagingRoot, name);
      const owner = OWNED_DIR.exec(name);
      try {
        if (entry !== this.stagingDir && owner && owner[1] === HOST && !isRunning(Number(owner[2]))) await remove(entry);
        else if (owner && (await stat(entry)).isDirectory()) {
          for (const inner of await readdir(entry)) {
            const file = path.join(entry, inner);
            if ((await stat(file)).mtimeMs < olderThanMs) await remove(file);
          }
        } else if ((await stat(entry)).mtimeMs < olderThanMs) await remove(entry);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return removed;
  }

  /**
   * Removes what crashed processes left: the whole directory of a process of this host that is
   * gone; elsewhere (another host's directory, a live process id that may have been reused, files
   * from before per-process directories) only entries older than `olderThanMs`.
   */
  private sweepStaging(olderThanMs: number): void {
    for (const name of readdirSync(this.stagingRoot)) {
      const entry = path.join(this.stagingRoot, name);
      if (entry === this.stagingDir) continue;
      const owner = OWNED_DIR.exec(name);
      try {
        if (owner && owner[1] === HOST && !isRunning(Number(owner[2]))) rmSync(entry, { force: true, recursive: true });
        else if (owner && statSync(entry).isDirectory()) removeOlder(entry, olderThanMs);
        else if (statSync(entry).mtimeMs < olderThanMs) rmSync(entry, { force: true, recursive: true });
      } catch {
        // another process may be sweeping the same directory
      }
    }
  }
}

/** Whether a process with this id exists here (signal 0 only checks; EPERM means it exists under another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeOlder(dir: string, olderThanMs: number): void {
  for (const name of readdirSync(dir)) {
    const entry = path.join(dir, name);
    try {
      if (statSync(entry).mtimeMs < olderThanMs) rmSync(entry, { force: true, recursive: true });
    } catch {
      // removed meanwhile by its owner
    }
  }
}

function newStagingId(): string {
  return `${Date.now()}-${randomHex(8)}`;
}
