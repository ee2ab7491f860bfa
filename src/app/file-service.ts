/** Use cases for files: accept a submission, look one up, rescan, download, list its analyses. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { AppError } from '../core/errors.js';
import { parseFileHash, type FileHashes, type HashKind } from '../core/hashes.js';
import { fileAnalysisId, randomHex, toUnixSeconds } from '../core/ids.js';
import { isUnpackError, looksLikeZip, type ArchiveUnpacker, type UnpackedFile, type UnpackError } from '../core/unpacker.js';
import { ANALYSE_FILE, type AnalyseFilePayload } from '../pipeline/analyse-file-job.js';
import type { JobQueue } from '../queue/queue.js';
import type { FileObject } from '../core/model/file.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { Store } from '../store/ports/store.js';
import { hasPrivilege } from './accounts/privileges.js';
import { canSeeAnalysis, canSeeFile, EVERYONE, privateOwnerOf, privateScopesFor, scopesOf } from './accounts/visibility.js';
import { privateFileView } from './private-file-view.js';
import type { Principal } from './principal.js';
import type { AppServices, ReceivedUpload } from './services.js';

export interface FileServiceDeps {
  store: Pick<Store, 'files' | 'analyses' | 'access' | 'votes' | 'changeMarker'>;
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

  /**
   * Recently read files and their owners, by hash, kept while the store says files are unchanged
   * (Store.changeMarker): report look-ups are most of the traffic, and re-reading two tables per
   * request was most of their cost. Where the store cannot tell (PostgreSQL), nothing is kept.
   */
  const recent = new Map<string, { marker: string; file: FileObject; owners: string[] }>();
  const MAX_RECENT = 10_000;

  async function read(kind: HashKind, value: string): Promise<{ file: FileObject; owners: string[] } | undefined> {
    const marker = store.changeMarker('files');
    const key = `${kind}:${value}`;
    const cached = recent.get(key);
    if (cached && marker !== undefined && cached.marker === marker) return cached;
    const file = await store.files.findByHash(kind, value);
    if (!file) return undefined;
    const found = { marker: marker ?? '', file, owners: await store.access.fileOwners(file.sha256) };
    if (marker !== undefined) {
      if (recent.size >= MAX_RECENT) recent.delete(recent.keys().next().value!);
      recent.set(key, found);
    }
    return found;
  }

  /** The file and who may see it; a private file the principal may not see is NotFoundError, exactly as an unknown one. */
  async function findVisible(hash: string, principal: Principal): Promise<{ file: FileObject; owners: string[] }> {
    const parsed = parseFileHash(hash);
    if (!parsed) throw new AppError('InvalidArgumentError', `"${hash}" is not a valid file hash (md5, sha1 or sha256)`);
    const found = await read(parsed.kind, parsed.value);
    if (!found || !canSeeFile(found.owners, principal)) throw new AppError('NotFoundError', `File "${hash}" not found`);
    return found;
  }

  /** The file as the principal sees it: public facts plus those of their own private submissions. */
  async function find(hash: string, principal: Principal): Promise<FileObject> {
    const { file, owners } = await findVisible(hash, principal);
    return privateFileView(store, file, privateScopesFor(owners, principal));
  }

  /**
   * Records a submission visible to `owner` (EVERYONE, or a private owner). Access is granted first,
   * so a private file is never briefly public. A private submission's name is not kept: the file
   * record is shared by everyone who may see the file, now or once someone submits it publicly.
   */
  async function record(hashes: FileHashes & { size: number }, name: string | undefined, owner: string): Promise<FileObject> {
    await store.access.grantFile(hashes.sha256, owner);
    return store.files.recordSubmission({
      md5: hashes.md5,
      sha1: hashes.sha1,
      sha256: hashes.sha256,
      size: hashes.size,
      name: owner === EVERYONE ? cleanName(name) : undefined,
      at: toUnixSeconds(deps.now()),
      owner,
    });
  }

  /** Creates the analysis row first, then the job: the job always finds its analysis. A private analysis gets its owner before it exists. */
  async function queueAnalysis(file: FileObject, owner: string): Promise<{ analysisId: string }> {
    const date = toUnixSeconds(deps.now());
    // The suffix keeps two submissions of one file within a second apart; ids stay opaque to clients.
    const analysisId = fileAnalysisId(file.md5, date, randomHex(2));
    if (owner !== EVERYONE) await store.access.setAnalysisOwner(analysisId, owner);
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
  async function submitContained(upload: ReceivedUpload, password: string, owner: string): Promise<{ analysisId: string }> {
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
      let first: { analysisId: string } | undefined;
      for (const file of stored) {
        const queued = await queueAnalysis(await record(file, file.name, owner), owner);
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
    async submit(upload: ReceivedUpload, options: { principal: Principal; name?: string; password?: string; private?: boolean }) {
      if (options.private && !hasPrivilege(options.principal, 'private_scanning')) {
        throw new AppError('ForbiddenError', 'Private submissions require the private_scanning privilege');
      }
      const owner = options.private ? privateOwnerOf(options.principal) : EVERYONE;
      // Without a ZIP to open, the password is ignored and the file is analysed as uploaded, as VT does.
      if (options.password !== undefined && (await startsLikeZip(upload.stagingPath))) return submitContained(upload, options.password, owner);
      await blobs.commit({ path: upload.stagingPath }, upload.sha256);
      return queueAnalysis(await record(upload, options.name, owner), owner);
    },

    get: (hash, principal) => find(hash, principal),

    async reanalyse(hash, principal) {
      const { file, owners } = await findVisible(hash, principal);
      if (!(await blobs.has(file.sha256))) throw new AppError('NotFoundError', `The content of file "${hash}" is not stored`);
      // A rescan of a private file stays private, to the owner through which the caller sees it.
      const isPublic = owners.length === 0 || owners.includes(EVERYONE);
      const scopes = scopesOf(principal);
      const owner = isPublic ? EVERYONE : (owners.find((o) => o === privateOwnerOf(principal)) ?? owners.find((o) => scopes.includes(o))!);
      return queueAnalysis(file, owner);
    },

    async download(hash, principal) {
      if (!hasPrivilege(principal, 'download')) throw new AppError('ForbiddenError', 'Downloading samples requires the download privilege');
      const file = await find(hash, principal);
      if (!(await blobs.has(file.sha256))) throw new AppError('NotFoundError', `The content of file "${hash}" is not stored`);
      const { stream, size } = await blobs.openRead(file.sha256);
      return { stream, size, sha256: file.sha256 };
    },

    async listAnalyses(hash, principal, options) {
      const file = await find(hash, principal);
      const page = await store.analyses.listForItem(file.sha256, options);
      // Others' private analyses are left out, so a page may hold fewer than `limit`; the cursor still pages on.
      const owners = await Promise.all(page.items.map((a) => store.access.analysisOwner(a.id)));
      return { ...page, items: page.items.filter((_, i) => canSeeAnalysis(owners[i], principal)) };
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
