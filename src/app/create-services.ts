/** Assembles the use cases into the AppServices surface the API and CLI call. */
import type { Analyzer, Engine } from '../core/plugin.js';
import { AppError } from '../core/errors.js';
import type { ArchiveUnpacker } from '../core/unpacker.js';
import type { JobQueue } from '../queue/queue.js';
import type { BlobStore, Store } from '../store/ports.js';
import { createFileService } from './file-service.js';
import type { HashPool } from './ingest/hash-pool.js';
import { receiveUpload } from './ingest/receive-upload.js';
import type { AppServices } from './services.js';
import { createUploadTokenService } from './upload-tokens.js';
import { authenticate } from './users.js';

export interface ServiceDeps {
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  engines: readonly Engine[];
  analyzers: readonly Analyzer[];
  uploadUrlTtlMs: number;
  /** Worker threads that hash and write uploads. */
  hashPool: HashPool;
  /** Opens password-protected ZIPs submitted with a `password`. */
  unpacker: ArchiveUnpacker;
  /** Bounds for one such ZIP: unpacked bytes in total, and files. */
  unpackLimits: { maxTotalBytes: number; maxEntries: number };
  now: () => number;
  isReady: () => boolean;
}

export function createServices(deps: ServiceDeps): AppServices {
  const { store, blobs, now } = deps;
  return {
    auth: {
      authenticate: (apiKey) => authenticate({ store, now }, apiKey),
      // Tiers and quotas arrive with the accounts work; every authenticated request is admitted today.
      admit: async () => {},
    },
    ingest: {
      receive: (body, options) => receiveUpload(body, { maxBytes: options.maxBytes, blobs, hashPool: deps.hashPool }),
      discard: (upload) => blobs.discard({ path: upload.stagingPath }),
    },
    files: createFileService({ store, blobs, queue: deps.queue, now, unpacker: deps.unpacker, unpackLimits: deps.unpackLimits }),
    analyses: {
      async get(id) {
        const analysis = await store.analyses.get(id);
        if (!analysis) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
        const file = await store.files.findByHash('sha256', analysis.itemId);
        if (!file) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
        return { analysis, file };
      },
    },
    uploads: createUploadTokenService({ store, now, ttlMs: deps.uploadUrlTtlMs }),
    plugins: {
      list: () => [
        ...deps.engines.map((p) => ({ kind: 'engine' as const, manifest: p.manifest, readiness: p.status() })),
        ...deps.analyzers.map((p) => ({ kind: 'analyzer' as const, manifest: p.manifest, readiness: p.status() })),
      ],
    },
    health: { ready: deps.isReady },
  };
}
