/** Assembles the use cases into the AppServices surface the API and CLI call. */
import { defaultTiers, type TierConfig } from '../config/config.js';
import type { Analyzer, Engine } from '../core/plugin.js';
import { AppError } from '../core/errors.js';
import type { ArchiveUnpacker } from '../core/unpacker.js';
import type { JobQueue } from '../queue/queue.js';
import type { BlobStore, QuotaCounters, Store } from '../store/ports.js';
import { createAccountService, principalOf, quotaOverridesOf, type TierPrivileges } from './accounts/index.js';
import { canSeeAnalysis } from './accounts/visibility.js';
import { createCommunityService } from './community/community-service.js';
import { createFileService } from './file-service.js';
import type { HashPool } from './ingest/hash-pool.js';
import { receiveUpload } from './ingest/receive-upload.js';
import { createQuotaService, type QuotaOverridesLookup } from './quotas/quota-service.js';
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
  /** `config.tiers`: which tiers exist and the privileges each grants (absent: any tier, none granted). */
  tiers?: TierPrivileges;
  /** Quota counters; default the store's (bootstrap passes Redis's when ASSAY_REDIS_URL is set). */
  quotaCounters?: QuotaCounters;
  /** `config.tiers` with their limits, for quotas (default: the built-in public and premium tiers). */
  quotaTiers?: Readonly<Record<string, TierConfig>>;
  /** Per-user and per-group quota overrides; default: read from the store's users and groups. */
  quotaOverrides?: QuotaOverridesLookup;
}

export function createServices(deps: ServiceDeps): AppServices {
  const { store, blobs, now } = deps;
  const files = createFileService({ store, blobs, queue: deps.queue, now, unpacker: deps.unpacker, unpackLimits: deps.unpackLimits });
  const quotas = createQuotaService({
    counters: deps.quotaCounters ?? store.quotaCounters,
    tiers: deps.quotaTiers ?? defaultTiers,
    now,
    overrides: deps.quotaOverrides ?? quotaOverridesOf(store),
    subjectOf: async (userId) => {
      const user = await store.users.get(userId);
      return user && principalOf(user, deps.tiers);
    },
  });
  return {
    auth: {
      authenticate: (apiKey) => authenticate({ store, now, tiers: deps.tiers }, apiKey),
      admit: (principal, endpointGroup) => quotas.admit(principal, endpointGroup),
    },
    accounts: createAccountService({ store, now, tiers: deps.tiers }),
    quotas: { overall: (user) => quotas.overall(user), apiUsage: (userId, start, end) => quotas.apiUsage(userId, start, end) },
    ingest: {
      receive: (body, options) => receiveUpload(body, { maxBytes: options.maxBytes, blobs, hashPool: deps.hashPool }),
      discard: (upload) => blobs.discard({ path: upload.stagingPath }),
    },
    files,
    analyses: {
      async get(id, principal) {
        const analysis = await store.analyses.get(id);
        // Someone else's private analysis is reported exactly like an unknown one.
        if (!analysis || !canSeeAnalysis(await store.access.analysisOwner(id), principal)) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
        const file = await store.files.findByHash('sha256', analysis.itemId);
        if (!file) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
        return { analysis, file };
      },
    },
    uploads: createUploadTokenService({ store, now, ttlMs: deps.uploadUrlTtlMs, tiers: deps.tiers }),
    plugins: {
      list: () => [
        ...deps.engines.map((p) => ({ kind: 'engine' as const, manifest: p.manifest, readiness: p.status() })),
        ...deps.analyzers.map((p) => ({ kind: 'analyzer' as const, manifest: p.manifest, readiness: p.status() })),
      ],
    },
    health: { ready: deps.isReady },
    // Files are found through the file service, so comments and votes see exactly the files it shows.
    community: createCommunityService({ store, now, findFile: (hash, principal) => files.get(hash, principal) }),
  };
}
