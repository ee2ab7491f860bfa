/** Use cases for files: accept a submission, look one up, rescan, download, list its analyses. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { AppError } from '../core/errors.js';
import { parseFileHash, type FileHashes } from '../core/hashes.js';
import { fileAnalysisId, randomHex, toUnixSeconds } from '../core/ids.js';
import { isUnpackError, looksLikeZip, type ArchiveUnpacker, type UnpackedFile, type UnpackError } from '../core/unpacker.js';
import { ANALYSE_FILE, type AnalyseFilePayload } from '../pipeline/analyse-file-job.js';
import type { JobQueue } from '../queue/queue.js';
import type { BlobStore, FileRecord, Store } from '../store/ports.js';
import type { Principal } from './principal.js';
import type { AppServices, ReceivedUpload } from './services.js';

export interface FileServiceDeps {
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  now: () => number;
  /** Opens a ZIP submitted with a `password`, so its contents are analysed instead (VT's behaviour). */
  unpacker: ArchiveUnpacker;
  /** Bounds for one such ZIP: unpacked bytes in total, and files (directories are bounded by the same count). */
  unpackLimits: { maxTotalBytes: number; maxEntries: number };
}

type FileService = AppServices['files'];

export function createFileService(deps: FileServiceDeps): FileService {
  const { store, blobs } = deps;

  async function find(hash: string): Promise<FileRecord> {
    const parsed = parseFileHash(hash);
    if (!parsed) throw new AppError('InvalidArgumentError', `"${hash}" is not a valid file hash (md5, sha1 or sha256)`);
    const file = await store.files.findByHash(parsed.kind, parsed.value);
    if (!file) throw new AppError('NotFoundError', `File "${hash}" not found`);
    return file;
  }

  /** Creates the analysis row first, then the job: the job always finds its analysis. */
  async function queueAnalysis(file: FileRecord): Promise<{ analysisId: string }> {
    const date = toUnixSeconds(deps.now());
    // The suffix keeps two submissions of one file within a second apart; ids stay opaque to clients.
    const analysisId = fileAnalysisId(file.md5, date, randomHex(2));
    await store.analyses.create({ id: analysisId, itemType: 'file', itemId: file.sha256, date });
    const payload: AnalyseFilePayload = { analysisId, sha256: file.sha256 };
    await deps.queue.enqueue(ANALYSE_FILE, payload);
    return { analysisId };
  }

  /** Moves an extracted file into the blob store (a rename: it sits in the staging area) under its sha256. */
  async function storeExtracted(file: UnpackedFile): Promise<FileHashes & { size: number }> {
    const hashes = await hashFile(file.path);
    const staged = await blobs.stage();
    try {
      await rename(file.path, staged.path);
      await blobs.commit(staged, hashes.sha256);
    } catch (error) {
      await blobs.discard(staged);
      throw error;
    }
    return hashes;
  }

  /**
   * VT's "password to decompress and scan a file contained in a protected ZIP file": every file in
   * the ZIP is stored, recorded under its own name and analysed; the ZIP itself is not kept. The
   * first file's analysis id is returned. Refusals (wrong password, damaged, over the limits)
   * happen before anything is stored or recorded.
   */
  async function submitContained(upload: ReceivedUpload, password: string): Promise<{ analysisId: string }> {
    const readiness = await deps.unpacker.status();
    if (!readiness.ready) throw cannotUnpack(readiness.detail ?? 'no archive unpacker is configured');
    // A private directory beside the staging files, so each extracted file becomes a blob by a rename.
    const anchor = await blobs.stage();
    const destDir = `${anchor.path}.unpack`;
    try {
      let unpacked: UnpackedFile[];
      try {
        unpacked = await deps.unpacker.unpack(upload.stagingPath, { password, destDir, ...deps.unpackLimits });
      } catch (error) {
        if (isUnpackError(error)) throw unpackRefusal(error);
        throw error;
      }
      // An empty file is refused as an upload too; it is not worth an analysis.
      const files = unpacked.filter((f) => f.size > 0);
      if (files.length === 0) throw new AppError('BadRequestError', 'The ZIP archive contains no file to analyse');
      const stored: Array<FileHashes & { size: number; name: string }> = [];
      for (const file of files) stored.push({ ...(await storeExtracted(file)), name: file.name });
      const at = toUnixSeconds(deps.now());
      let first: { analysisId: string } | undefined;
      for (const file of stored) {
        const record = await store.files.recordSubmission({ md5: file.md5, sha1: file.sha1, sha256: file.sha256, size: file.size, name: cleanName(file.name), at });
        const queued = await queueAnalysis(record);
        first ??= queued;
      }
      await blobs.discard({ path: upload.stagingPath });
      return first!;
    } finally {
      await rm(destDir, { recursive: true, force: true });
      await blobs.discard(anchor);
    }
  }

  return {
    async submit(upload: ReceivedUpload, options: { principal: Principal; name?: string; password?: string }) {
      // Without a ZIP to open, the password is ignored and the file is analysed as uploaded, as VT does.
      if (options.password !== undefined && (await startsLikeZip(upload.stagingPath))) return submitContained(upload, options.password);
      await blobs.commit({ path: upload.stagingPath }, upload.sha256);
      const file = await store.files.recordSubmission({
        md5: upload.md5,
        sha1: upload.sha1,
        sha256: upload.sha256,
        size: upload.size,
        name: cleanName(options.name),
        at: toUnixSeconds(deps.now()),
      });
      return queueAnalysis(file);
    },

    get: (hash) => find(hash),

    async reanalyse(hash) {
      const file = await find(hash);
      if (!(await blobs.has(file.sha256))) throw new AppError('NotFoundError', `The content of file "${hash}" is not stored`);
      return queueAnalysis(file);
    },

    async download(hash, principal) {
      if (!principal.isAdmin) throw new AppError('ForbiddenError', 'Downloading samples requires an admin key');
      const file = await find(hash);
      if (!(await blobs.has(file.sha256))) throw new AppError('NotFoundError', `The content of file "${hash}" is not stored`);
      const { stream, size } = await blobs.openRead(file.sha256);
      return { stream, size, sha256: file.sha256 };
    },

    async listAnalyses(hash, _principal, options) {
      const file = await find(hash);
      return store.analyses.listForItem(file.sha256, options);
    },
  };
}

/** Client-facing refusals of a password-protected ZIP; all 400s, since retrying the same ZIP cannot help. */
function unpackRefusal(error: UnpackError): AppError {
  switch (error.reason) {
    case 'wrong_password':
      return new AppError('BadRequestError', 'Wrong password for the ZIP archive', { cause: error });
    case 'unavailable':
      return cannotUnpack(error.message, error);
    default:
      return new AppError('BadRequestError', error.message.replace(/^The archive\b/, 'The ZIP archive'), { cause: error });
  }
}

function cannotUnpack(detail: string, cause?: unknown): AppError {
  return new AppError('BadRequestError', `This server cannot unpack archives: ${detail}`, { cause });
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

/** md5, sha1 and sha256 of a file in one streaming pass. */
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
