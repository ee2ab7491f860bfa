/** Assembles the use cases into the AppServices surface the API and CLI call. */
import { defaultTiers, type TierConfig } from '../config/config.js';
import type { Analyzer, Engine, IntelSource, PageCapturer, UrlEngine } from '../core/plugin.js';
import { AppError } from '../core/errors.js';
import type { JobQueue } from '../queue/queue.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { QuotaCounters } from '../store/ports/quota-counters.js';
import type { Store } from '../store/ports/store.js';
import { createAccountService, principalOf, quotaOverridesOf, type TierPrivileges } from './accounts/index.js';
import { canSeeAnalysis } from './accounts/visibility.js';
import { createCommunityService } from './community/community-service.js';
import { createFileService } from './file-service.js';
import type { FileIntake } from './intake/intake.js';
import { createQuotaService, type FoundOverrides, type QuotaOverridesLookup } from './quotas/quota-service.js';
import type { AppServices } from './services.js';
import { createUploadTokenService } from './upload-tokens.js';
import type { AccountService } from './accounts/account-service.js';
import { ShortLivedCache } from './accounts/short-lived-cache.js';
import type { Credential } from './accounts/users.js';
import { authenticate } from './users.js';
import { createGraphService } from './graph/graph-service.js';
import { createNetworkService, normaliseNetworkId, type IntelLookup } from './network/network-service.js';
import { createUrlService } from './urls/url-service.js';
import { pino, type Logger } from 'pino';

const silentLogger = pino({ level: 'silent' });

export interface ServiceDeps {
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  engines: readonly Engine[];
  analyzers: readonly Analyzer[];
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
  /** URL verdict engines (blocklists, heuristics): URL analyses run them in the pipeline, domain and IP reports here. */
  urlEngines?: { list(): readonly UrlEngine[]; current(): Promise<readonly UrlEngine[]> };
  /** Intel sources for domains and IPs, asked through `intelLookup` (a TTL cache). */
  intelSources?: readonly IntelSource[];
  intelLookup?: IntelLookup;
  /** Screenshots of URL pages; listed with the plugins. */
  capturer?: PageCapturer;
  logger?: Logger;
}

export function createServices(deps: ServiceDeps): AppServices {
  const { store, blobs, now } = deps;
  const cacheMs = deps.credentialCacheMs ?? 5_000;
  const accountDeps = { store, now, tiers: deps.tiers };
  const credentials = new ShortLivedCache<Credential>(cacheMs, now);
  const overrides = cachedOverrides(deps.quotaOverrides ?? quotaOverridesOf(store), new ShortLivedCache(cacheMs, now));
  const forgetAccounts = () => {
    credentials.clear();
    overrides.cache.clear();
  };
  // Accounts changed (here, or by another process such as the CLI revoking a key): drop what was cached.
  let seenMarker = store.changeMarker('accounts');
  const forgetIfChangedElsewhere = () => {
    const marker = store.changeMarker('accounts');
    if (marker !== seenMarker) forgetAccounts();
    seenMarker = marker;
  };
  const files = createFileService({ store, blobs, intake: deps.intake });
  const urls = createUrlService({ store, queue: deps.queue, now });
  const graph = createGraphService({ store, findFile: (sha256, principal) => files.get(sha256, principal) });
  const network = createNetworkService({
    store,
    sources: deps.intelSources ?? [],
    lookup: deps.intelLookup ?? ((source, target, signal) => source.lookup(target, signal).then((result) => ({ result, fetchedAt: now(), fromCache: false, stale: false }))),
    urlEngines: async () => (deps.urlEngines ? deps.urlEngines.current() : []),
    now,
    logger: deps.logger ?? silentLogger,
  });
  const quotas = createQuotaService({
    counters: deps.quotaCounters ?? store.quotaCounters,
    tiers: deps.quotaTiers ?? defaultTiers,
    now,
    overrides: overrides.lookup,
    onFlushError: deps.onBackgroundError,
    subjectOf: async (userId) => {
      const user = await store.users.get(userId);
      return user && principalOf(user, deps.tiers);
    },
  });
  return {
    auth: {
      authenticate: (apiKey) => {
        forgetIfChangedElsewhere();
        return authenticate(accountDeps, apiKey, credentials);
      },
      admit: (principal, endpointGroup) => quotas.admit(principal, endpointGroup),
    },
    accounts: clearingOnChange(createAccountService({ store, now, tiers: deps.tiers }), forgetAccounts),
    quotas: { overall: (user) => quotas.overall(user), apiUsage: (userId, start, end) => quotas.apiUsage(userId, start, end) },
    files,
    analyses: {
      async get(id, principal) {
        const analysis = await store.analyses.get(id);
        // Someone else's private analysis is reported exactly like an unknown one.
        if (!analysis || !canSeeAnalysis(await store.access.analysisOwner(id), principal)) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
        if (analysis.itemType === 'url') {
          const url = await urls.get(analysis.itemId).catch(() => undefined);
          if (!url) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
          return { analysis, item: { type: 'url', url } };
        }
        const file = await store.files.findByHash('sha256', analysis.itemId);
        if (!file) throw new AppError('NotFoundError', `Analysis "${id}" not found`);
        return { analysis, item: { type: 'file', file } };
      },
    },
    urls: {
      submit: (url) => urls.submit(url),
      get: (id) => urls.get(id),
      reanalyse: (id) => urls.reanalyse(id),
      async listAnalyses(id, _principal, options) {
        const { url } = await urls.get(id);
        return store.analyses.listForItem(url.id, options);
      },
      async screenshot(id) {
        const { url } = await urls.get(id);
        const shot = url.attributes.last_screenshot as { sha256?: unknown } | undefined;
        if (typeof shot?.sha256 !== 'string' || !(await blobs.has(shot.sha256))) throw new AppError('NotFoundError', `No screenshot of URL "${id}"`);
        return blobs.openRead(shot.sha256);
      },
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
      list: () => [
        ...deps.engines.map((p) => ({ kind: 'engine' as const, manifest: p.manifest, readiness: p.status() })),
        ...deps.analyzers.map((p) => ({ kind: 'analyzer' as const, manifest: p.manifest, readiness: p.status() })),
        ...(deps.urlEngines?.list() ?? []).map((p) => ({ kind: 'url-engine' as const, manifest: p.manifest, readiness: p.status() })),
        ...(deps.intelSources ?? []).map((p) => ({ kind: 'intel' as const, manifest: p.manifest, readiness: p.status() })),
        ...(deps.capturer ? [{ kind: 'url-capture' as const, manifest: deps.capturer.manifest, readiness: deps.capturer.status() }] : []),
      ],
    },
    health: { ready: deps.isReady },
    close: () => quotas.close(),
    // Files are found through the file service, so comments and votes see exactly the files it shows.
    community: createCommunityService({ store, now, findFile: (hash, principal) => files.get(hash, principal) }),
  };
}

/** The overrides lookup behind a short-lived cache; a cached answer comes back synchronously. */
function cachedOverrides(lookup: QuotaOverridesLookup, cache: ShortLivedCache<FoundOverrides>) {
  const cachedLookup: QuotaOverridesLookup = (principal) => {
    const key = `${principal.userId}\0${principal.groupId ?? ''}`;
    return cache.get(key) ?? Promise.resolve(lookup(principal)).then((found) => (cache.set(key, found), found));
  };
  return { cache, lookup: cachedLookup };
}

/** Every account change made through the API clears the caches, so a revoked key fails on its next request. */
function clearingOnChange(service: AccountService, clear: () => void): AccountService {
  const wrapped = { ...service };
  for (const name of Object.keys(service) as Array<keyof AccountService>) {
    if (name.startsWith('get') || name.startsWith('list')) continue;
    const method = service[name] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      try {
        return await method(...args);
      } finally {
        clear();
      }
    };
  }
  return wrapped;
}
