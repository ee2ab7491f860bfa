/** Use cases for files: accept a submission, look one up, rescan, download, list its analyses. */
import { AppError } from '../core/errors.js';
import { parseFileHash } from '../core/hashes.js';
import { fileAnalysisId, randomHex, toUnixSeconds } from '../core/ids.js';
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

  return {
    async submit(upload: ReceivedUpload, options: { principal: Principal; name?: string; password?: string }) {
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

/** Keeps the last path component of a submitted name, without control characters, at most 255 chars. */
function cleanName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255);
  return clean && clean !== 'unknown' ? clean : undefined;
}
