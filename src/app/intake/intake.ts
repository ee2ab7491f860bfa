/**
 * The one way a file enters Assay: stage its bytes (from a stream, a local file or memory), then
 * submitFile commits the blob, records the file and its name, grants access, creates the analysis
 * and queues its job. Uploads, members of password-protected ZIPs and bodies downloaded by the URL
 * job all come through here.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FileHashes } from '../../core/hashes.js';
import { fileAnalysisId, randomHex, toUnixSeconds } from '../../core/ids.js';
import type { FileObject } from '../../core/model/file.js';
import { looksLikeZip, type Unpacker } from '../../core/unpacker.js';
import { ANALYSE_FILE, type AnalyseFilePayload } from '../../worker/job-kinds.js';
import type { DownloadIntake } from '../../pipeline/download-intake.js';
import type { JobPriority, JobQueue } from '../../queue/queue.js';
import type { BlobStore, StagedBlob } from '../../store/ports/blob-store.js';
import type { Store } from '../../store/ports/store.js';
import { EVERYONE } from '../accounts/visibility.js';
import type { HashPool } from './hash-pool.js';
import { receiveUpload } from './receive-upload.js';
import { blobOf, stagedFile, takeBlob, type StagedFile } from './staged-file.js';
import { unpackZip, type ZipMember } from './unpack-zip.js';

/** Where a submitted file came from. */
export type FileOrigin =
  /** POST /files or an upload URL; `name` is the form's file name; `submitter` the user's id (for VT's anonymised source_key). */
  | { kind: 'upload'; name?: string; submitter?: string }
  /**
   * A file inside a password-protected ZIP with this sha256 (kept and analysed too); `name` is its
   * path in the archive. Recorded as the edge `<zip> bundled_files <member>`, read backwards as the
   * member's compressed_parents.
   */
  | { kind: 'archive-member'; parentSha256: string; name: string; submitter?: string }
  /** The body the URL job downloaded for URL `urlId`; `name` is the last segment of the final URL's path. */
  | { kind: 'url-download'; urlId: string; name?: string };

export interface SubmittedFile {
  analysisId: string;
  file: FileObject;
}

export interface FileIntake extends DownloadIntake {
  /**
   * Streams `body` into staging while computing md5, sha1 and sha256 (worker threads). Throws
   * AppError PayloadTooLargeError past maxBytes, BadRequestError when empty or unreadable (a client
   * abort); nothing is left staged then.
   */
  fromStream(body: Readable, options: { maxBytes: number }): Promise<StagedFile>;
  /** Takes over the local file at `localPath` (it is moved, not copied) and hashes it. */
  fromPath(localPath: string): Promise<StagedFile>;
  fromBytes(bytes: Uint8Array): Promise<StagedFile>;
  /** Drops a staged file that will not be submitted; harmless on one already submitted or discarded. */
  discard(file: StagedFile): Promise<void>;
  /** Whether the staged file starts like a ZIP archive. */
  isZip(file: StagedFile): Promise<boolean>;
  /**
   * Every non-empty regular file of the staged ZIP, each staged (fromPath) under its path in the
   * archive. Refusals (no unpacker, wrong password, damage, limits, no file inside) are AppError
   * BadRequestError, with nothing staged. The ZIP itself stays staged: the caller discards it.
   */
  unpackZip(zip: StagedFile, password: string): Promise<ZipMember[]>;
  /**
   * Accepts a staged file, which is spent afterwards whatever happens: commits its blob, grants
   * `owner` (EVERYONE, or a private owner) access before recording it (a private file is never
   * briefly public), records the submission (its name only when public), creates the analysis
   * (owned by `owner` when private) and queues its job. With `analyse: 'caller'` no job is queued:
   * the caller runs the analysis itself.
   */
  submitFile(file: StagedFile, owner: string, origin: FileOrigin, options?: { analyse?: 'queue' | 'caller' }): Promise<SubmittedFile>;
  /** A new analysis of a stored file, owned by `owner` when private, and its job (a rescan: queued behind uploads). */
  analyseAgain(file: FileObject, owner: string): Promise<{ analysisId: string }>;
}

export interface IntakeDeps {
  store: Pick<Store, 'files' | 'analyses' | 'access' | 'relations' | 'submissions'>;
  blobs: BlobStore;
  queue: JobQueue;
  /** Worker threads that hash and write streamed bodies (default: the process-wide pool). */
  hashPool?: Pick<HashPool, 'open'>;
  /** Opens ZIPs submitted with a `password`. */
  unpacker: Unpacker;
  /** Bounds for one such ZIP: unpacked bytes in total, and files (directories are bounded by the same count). */
  unpackLimits: { maxTotalBytes: number; maxEntries: number };
  /**
   * A private directory for unpacking; best on the blob store's file system, so members become
   * staged blobs by a rename. Leftovers older than an hour (a crash mid-unpack) are removed at start.
   */
  workDir: string;
  now: () => number;
}

const HOUR_MS = 60 * 60 * 1000;

export function createIntake(deps: IntakeDeps): FileIntake {
  const { store, blobs } = deps;
  sweepWorkDir(deps.workDir, deps.now() - HOUR_MS);

  /** The staging handle of a file still to be accepted; using a spent file is a bug in the caller. */
  const live = (file: StagedFile): StagedBlob => {
    const blob = blobOf(file);
    if (!blob) throw new Error(`Staged file ${file.sha256} was already submitted or discarded`);
    return blob;
  };

  async function fromPath(localPath: string): Promise<StagedFile> {
    const facts = await hashFile(localPath);
    return stagedFile(facts, await blobs.stageFile(localPath));
  }

  async function fromBytes(bytes: Uint8Array): Promise<StagedFile> {
    const digest = (algorithm: string) => createHash(algorithm).update(bytes).digest('hex');
    const staged = await blobs.stage();
    try {
      await blobs.withStagedFile(staged, (file) => writeFile(file, bytes));
    } catch (error) {
      await blobs.discard(staged);
      throw error;
    }
    return stagedFile({ md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256'), size: bytes.length }, staged);
  }

  async function discard(file: StagedFile): Promise<void> {
    const blob = takeBlob(file);
    if (blob) await blobs.discard(blob);
  }

  async function submitFile(file: StagedFile, owner: string, origin: FileOrigin, options: { analyse?: 'queue' | 'caller' } = {}): Promise<SubmittedFile> {
    const blob = live(file);
    takeBlob(file);
    try {
      await blobs.commit(blob, file.sha256);
    } catch (error) {
      await blobs.discard(blob);
      throw error;
    }
    await store.access.grantFile(file.sha256, owner);
    const record = await store.files.recordSubmission({
      md5: file.md5,
      sha1: file.sha1,
      sha256: file.sha256,
      size: file.size,
      // The file record is shared by everyone who may see the file, now or once someone submits it publicly.
      name: owner === EVERYONE ? cleanName(origin.name) : undefined,
      at: toUnixSeconds(deps.now()),
      // A private submission is counted for its owner only (docs/auth.md, Private submissions).
      owner,
    });
    await recordSubmission(record, owner, origin);
    const { analysisId } = await createAnalysis(record, owner, options.analyse ?? 'queue', 'interactive');
    return { analysisId, file: record };
  }

  /**
   * The submission row (the file's `submissions` relationship, shown only to those who see `owner`)
   * and, for an archive member, the edge from its archive.
   */
  async function recordSubmission(file: FileObject, owner: string, origin: FileOrigin): Promise<void> {
    const date = toUnixSeconds(deps.now());
    const submitter = origin.kind === 'url-download' ? undefined : origin.submitter;
    await store.submissions.record({
      id: `f-${file.sha256}-${date}-${randomHex(2)}`,
      sha256: file.sha256,
      date,
      interface: origin.kind === 'url-download' ? 'url' : 'api',
      name: cleanName(origin.name) ?? null,
      sourceKey: submitter === undefined ? null : sourceKeyOf(submitter),
      owner,
    });
    if (origin.kind === 'archive-member') {
      await store.relations.upsert([
        { fromType: 'file', fromId: origin.parentSha256, name: 'bundled_files', toType: 'file', toId: file.sha256, source: 'archive', at: date },
      ]);
    }
  }

  /** Owner first, then the analysis row, then the job: the job always finds its analysis, and a private one is never public. */
  async function createAnalysis(file: FileObject, owner: string, analyse: 'queue' | 'caller', priority: JobPriority): Promise<{ analysisId: string }> {
    const date = toUnixSeconds(deps.now());
    // The suffix keeps two submissions of one file within a second apart; ids stay opaque to clients.
    const analysisId = fileAnalysisId(file.md5, date, randomHex(2));
    if (owner !== EVERYONE) await store.access.setAnalysisOwner(analysisId, owner);
    await store.analyses.create({ id: analysisId, itemType: 'file', itemId: file.sha256, date });
    if (analyse === 'queue') {
      const payload: AnalyseFilePayload = { analysisId, sha256: file.sha256 };
      await deps.queue.enqueue(ANALYSE_FILE, payload, { priority });
    }
    return { analysisId };
  }

  return {
    fromStream: (body, options) => receiveUpload(body, { maxBytes: options.maxBytes, blobs, hashPool: deps.hashPool }),
    fromPath,
    fromBytes,
    discard,
    isZip: (file) => blobs.withStagedFile(live(file), startsLikeZip),
    unpackZip: (zip, password) =>
      blobs.withStagedFile(live(zip), (archive) => unpackZip({ unpacker: deps.unpacker, limits: deps.unpackLimits, workDir: deps.workDir, fromPath, discard }, archive, password)),
    submitFile,
    analyseAgain: (file, owner) => createAnalysis(file, owner, 'queue', 'bulk'),
    async submitDownload(body, origin) {
      const submitted = await submitFile(await fromBytes(body), EVERYONE, { kind: 'url-download', ...origin }, { analyse: 'caller' });
      return { analysisId: submitted.analysisId, sha256: submitted.file.sha256 };
    },
  };
}

/** VT's source_key: a stable 8-hex token per submitter that does not reveal who it is. */
function sourceKeyOf(submitter: string): string {
  return createHash('sha256').update(`assay-source-key:${submitter}`).digest('hex').slice(0, 8);
}

async function startsLikeZip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return looksLikeZip(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** md5, sha1 and sha256 of a local file in one streaming pass (members are bounded by the unpack limits). */
async function hashFile(file: string): Promise<FileHashes & { size: number }> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    md5.update(chunk);
    sha1.update(chunk);
    sha256.update(chunk);
    size += chunk.length;
  }
  return { md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), size };
}

/** Keeps the last path component of a submitted name, without control characters, at most 255 chars. */
function cleanName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean && clean !== 'unknown' ? clean : undefined;
}

/** Creates the work directory and removes what a crashed unpack left there; synchronous, like the blob store's sweep. */
function sweepWorkDir(dir: string, olderThanMs: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(dir)) {
    if (!name.startsWith('unpack-')) continue;
    const entry = path.join(dir, name);
    try {
      if (statSync(entry).mtimeMs < olderThanMs) rmSync(entry, { recursive: true, force: true });
    } catch {
      // another process may be sweeping the same directory
    }
  }
}
