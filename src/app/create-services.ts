/**
 * Wires the use cases into the AppServices surface the API and the server's CLI commands call.
 * Called by bootstrap/ only (the composition root), which hands it the adapters and plugins; each
 * use case lives in its own module, so this file only connects them.
 */
import { defaultTiers, type TierConfig } from '../config/config.js';
import type { JobQueue } from '../queue/queue.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { QuotaCounters } from '../store/ports/quota-counters.js';
import type { Store } from '../store/ports/store.js';
import { createAccountService, principalOf, quotaOverridesOf, type TierPrivileges } from './accounts/index.js';
import { createAccountCaches } from './accounts/account-caches.js';
import { createAnalysisService } from './analyses/analysis-service.js';
import { createCommunityService } from './community/community-service.js';
import { createFileService } from './file-service.js';
import type { FileIntake } from './intake/intake.js';
import { createQuotaService, type QuotaOverridesLookup } from './quotas/quota-service.js';
import type { AppServices, PluginCallStats, PluginStatus } from './services.js';
import { createUploadTokenService } from './upload-tokens.js';
import { authenticate } from './users.js';
import { createGraphService } from './graph/graph-service.js';
import { createNetworkService, normaliseNetworkId } from './network/network-service.js';
import { createUrlService } from './urls/url-service.js';
import type { NetworkPipeline } from '../pipeline/network-pipeline.js';

export interface ServiceDeps {
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  uploadUrlTtlMs: number;
  /** Where submitted files enter (app/intake, built in bootstrap: the URL job uses it too). */
  intake: FileIntake;
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
  /**
   * How long an authenticated key and a user's quota overrides are reused without reading the
   * store again (default 5 s; 0 reads every time). Changes through this process apply at once.
   */
  credentialCacheMs?: number;
  /** A failed background write (quota counts kept in memory); the write is retried. */
  onBackgroundError?: (error: unknown) => void;
  /** Every plugin with its readiness, and call counts (the plugin host); absent: none. */
  plugins?: { statuses(): PluginStatus[]; callStats(): PluginCallStats[] };
  /** Enriches domains and IPs (intel sources, URL engines); absent: they are only read from the store. */
  networkPipeline?: NetworkPipeline;
}

export function createServices(deps: ServiceDeps): AppServices {
  const { store, blobs, now } = deps;
  const cacheMs = deps.credentialCacheMs ?? 5_000;
  const accountDeps = { store, now, tiers: deps.tiers };
  const caches = createAccountCaches({ store, now, cacheMs, overrides: deps.quotaOverrides ?? quotaOverridesOf(store) });
  const files = createFileService({ store, blobs, intake: deps.intake });
  const urls = createUrlService({ store, queue: deps.queue, now, blobs });
  const analyses = createAnalysisService({ store, urls, findFile: (sha256, principal) => files.get(sha256, principal) });
  const graph = createGraphService({ store, findFile: (sha256, principal) => files.get(sha256, principal) });
  const network = createNetworkService({ store, enrich: deps.networkPipeline?.enrich });
  const quotas = createQuotaService({
    counters: deps.quotaCounters ?? store.quotaCounters,
    tiers: deps.quotaTiers ?? defaultTiers,
    now,
    overrides: caches.overrides,
    onFlushError: deps.onBackgroundError,
    subjectOf: async (userId) => {
      const user = await store.users.get(userId);
      return user && principalOf(user, deps.tiers);
    },
  });
  return {
    auth: {
      authenticate: (apiKey) => {
        caches.forgetIfChangedElsewhere();
        return authenticate(accountDeps, apiKey, caches.credentials);
      },
      admit: (principal, endpointGroup) => quotas.admit(principal, endpointGroup),
    },
    accounts: caches.clearingOnChange(createAccountService(accountDeps)),
    quotas: { overall: (user) => quotas.overall(user), apiUsage: (userId, start, end) => quotas.apiUsage(userId, start, end) },
    files,
    analyses,
    urls: {
      submit: (url) => urls.submit(url),
      get: (id) => urls.get(id),
      reanalyse: (id) => urls.reanalyse(id),
      listAnalyses: (id, _principal, options) => urls.listAnalyses(id, options),
      screenshot: (id) => urls.screenshot(id),
    },
    network,
    graph: {
      list(owner, id, name, principal, page) {
        // A file's id stays as given (any hash): the graph looks the file up with the caller's visibility.
        const ownerId = owner === 'file' ? id : owner === 'url' ? urls.idOf(id) : normaliseNetworkId(owner, id);
        return graph.list(owner, ownerId, name, principal, page);
      },
    },
    uploads: createUploadTokenService({ store, now, ttlMs: deps.uploadUrlTtlMs, tiers: deps.tiers }),
    plugins: {
      list: () => deps.plugins?.statuses() ?? [],
      calls: () => deps.plugins?.callStats() ?? [],
    },
    health: { ready: deps.isReady },
    close: () => quotas.close(),
    // Files are found through the file service, so comments and votes see exactly the files it shows.
    community: createCommunityService({ store, now, findFile: (hash, principal) => files.get(hash, principal) }),
  };
}
