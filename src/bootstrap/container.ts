/**
 * Composition root: turns a Config into concrete adapters, plugins, use cases, pipeline and workers.
 * The only module that imports concrete adapters and plugins.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { SevenZipUnpacker } from '../unpackers/seven-zip/seven-zip-unpacker.js';
import { createFiletypeAnalyzer } from '../analyzers/filetype/filetype-analyzer.js';
import { createFuzzyAnalyzer } from '../analyzers/fuzzy/fuzzy-analyzer.js';
import { createServices } from '../app/create-services.js';
import { HashPool } from '../app/intake/hash-pool.js';
import { createIntake } from '../app/intake/intake.js';
import type { AppServices } from '../app/services.js';
import { ensureBootstrapKey } from '../app/users.js';
import { parseKindLimits, type Config } from '../config/config.js';
import type { Analyzer, Engine, Readiness } from '../core/plugin.js';
import { createClamavEngine } from '../engines/clamav/clamav-engine.js';
import { createYaraEngine } from '../engines/yara/yara-engine.js';
import { bundledYaraRulesDir } from '../engines/package-root.js';
import { FilePipeline } from '../pipeline/file-pipeline.js';
import type { JobQueue } from '../queue/queue.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { Store } from '../store/ports/store.js';
import { openPostgres } from '../store/postgres/open-postgres.js';
import { openRedisQuotaCounters } from '../store/redis/redis-quota-counters.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { ANALYSE_FILE, ANALYSE_URL } from '../worker/job-kinds.js';
import { JobRunner } from '../worker/job-runner.js';
import { analyseFileHandler } from '../worker/handlers/analyse-file.js';
import { analyseUrlHandler } from '../worker/handlers/analyse-url.js';
import { existsSync } from 'node:fs';
import type { IntelSource } from '../core/plugin.js';
import { createUrlHeuristicsEngine } from '../engines/url-heuristics/index.js';
import { bundledRdapBootstrapDir, CachedIntel, createFetchJson, DnsSource, GeoSource, RdapSource, TlsSource } from '../intel/index.js';
import { AddressPolicy, parseAllowList } from '../net/address-policy.js';
import { createConnectGuard } from '../net/connect-guard.js';
import { serverResolver, systemResolver } from '../net/host-resolver.js';
import { SafeFetcher } from '../net/safe-fetcher.js';
import { UrlEngineSet } from './url-engine-set.js';
import { openBlobStore, openJobQueue } from './scale-out.js';
import { ChromiumCapturer } from '../analyzers/url-screenshot/chromium-capturer.js';
import { extractPageFacts } from '../analyzers/html-page/page-facts.js';
import { FeedScheduler, parseFeedSchedule } from '../app/feeds/index.js';
import { rdapRegistryDir } from '../app/intel-refresh.js';

export interface Container {
  config: Config;
  logger: Logger;
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  services: AppServices;
  engines: Engine[];
  analyzers: Analyzer[];
  urlEngines: UrlEngineSet;
  intelSources: IntelSource[];
  workers: JobRunner;
  /**
   * Starts plugins (reporting readiness), the in-process workers when `runWorkers`, and the upload
   * hashing threads when `acceptUploads` (so the first upload does not wait for them).
   */
  start(options: { runWorkers: boolean; acceptUploads: boolean }): Promise<Array<{ kind: string; name: string; readiness: Readiness }>>;
  close(): Promise<void>;
}

/** Opens only the metadata store (for CLI commands such as `assay user create` and `assay migrate`). */
export async function openStore(config: Config): Promise<{ store: Store; close(): Promise<void> }> {
  const backend = config.databaseUrl ? await openPostgres(config.databaseUrl) : await openSqlite(config.sqlitePath);
  await backend.store.migrate();
  return { store: backend.store, close: () => backend.store.close() };
}

/** Files taken from one password-protected ZIP upload, each stored and analysed. */
const MAX_UNPACKED_FILES = 32;

export async function buildContainer(config: Config, logger: Logger): Promise<Container> {
  await fs.mkdir(config.dataDir, { recursive: true });
  await fs.mkdir(config.rulesDir, { recursive: true });
  const backend = config.databaseUrl ? await openPostgres(config.databaseUrl) : await openSqlite(config.sqlitePath);
  const applied = await backend.store.migrate();
  if (applied.length > 0) logger.info({ migrations: applied }, 'applied database migrations');
  const store = backend.store;
  // Local directory and jobs table by default; an S3 bucket and BullMQ when configured (scale-out.ts).
  const blobStore = openBlobStore(config);
  const blobs = blobStore.blobs;
  const queue = await openJobQueue(config, backend.db);
  const now = () => Date.now();
  // Quota counters in Redis when configured (every server then shares them), else in the store.
  const redisQuota = config.redisUrl ? await openRedisQuotaCounters(config.redisUrl) : undefined;

  const engines: Engine[] = [
    createClamavEngine({
      clamd: config.clamd,
      workDir: path.join(config.dataDir, 'clamd'),
      logger: logger.child({ engine: 'ClamAV' }),
      maxBytes: config.maxLargeUploadBytes,
      supervision: {
        restartMinMs: config.clamdRestartMinMs,
        restartMaxMs: config.clamdRestartMaxMs,
        livenessIntervalMs: config.clamdPingIntervalMs,
        pingTimeoutMs: config.clamdPingTimeoutMs,
      },
    }),
    createYaraEngine({
      rulesDirs: [bundledYaraRulesDir(), config.rulesDir],
      logger: logger.child({ engine: 'YARA' }),
      maxBytes: config.maxLargeUploadBytes,
    }),
  ];
  const analyzers: Analyzer[] = [
    createFiletypeAnalyzer({ magikaModelDir: config.magikaModelDir, logger: logger.child({ analyzer: 'filetype' }) }),
    createFuzzyAnalyzer({ logger: logger.child({ analyzer: 'fuzzy' }) }),
  ];

  // URLs and hosts are attacker-chosen: every connection goes through the address policy.
  const dnsServers = config.dnsServers ? config.dnsServers.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const resolver = dnsServers.length > 0 ? serverResolver(dnsServers) : systemResolver();
  const guard = createConnectGuard(resolver, new AddressPolicy({ allow: parseAllowList(config.fetchAllow ?? '') }));
  const fetcher = new SafeFetcher({ guard });
  const urlEngines = new UrlEngineSet(store.feeds, [createUrlHeuristicsEngine()]);
  // Screenshots: Chromium renders the page, but every request it makes is fetched by the safe fetcher.
  const capturer =
    config.chromium === 'off'
      ? undefined
      : new ChromiumCapturer({
          executablePath: config.chromium,
          fetchResource: async (url, signal) => {
            const outcome = await fetcher.fetch(url, signal);
            return outcome.ok ? { ok: true, status: outcome.statusCode, headers: outcome.headers, body: outcome.body } : { ok: false, reason: outcome.reason };
          },
        });
  // RDAP servers come from IANA's registries or the operator's ASSAY_RDAP_URL, not from users, so
  // they are fetched directly; a refreshed copy of the registries in the data dir wins over the shipped one.
  const refreshedRegistries = rdapRegistryDir(config.dataDir);
  const intelSources: IntelSource[] = [
    new DnsSource({ servers: dnsServers.length > 0 ? dnsServers : undefined }),
    new RdapSource({
      bootstrapDir: existsSync(path.join(refreshedRegistries, 'dns.json')) ? refreshedRegistries : bundledRdapBootstrapDir(),
      baseUrl: config.rdapUrl,
      fetchJson: createFetchJson(),
    }),
    new TlsSource({ guard, port: config.tlsPort }),
    new GeoSource({ countryMmdb: config.geoCountryMmdb, asnMmdb: config.geoAsnMmdb }),
  ];
  const intel = new CachedIntel(store.intelCache, {
    onRefreshError: (error, source, key) => logger.warn({ source, key, err: error instanceof Error ? error.message : String(error) }, 'background intel refresh failed'),
  });

  // Parsed now, so a bad ASSAY_FEEDS stops start-up with its message rather than later.
  const feedScheduler = config.feeds
    ? new FeedScheduler({ store, logger: logger.child({ part: 'feeds' }), spoolDir: path.join(config.dataDir, 'tmp') }, parseFeedSchedule(config.feeds))
    : undefined;

  const hashPool = new HashPool();
  // Unpacks ZIPs submitted with a `password`; 7zz missing only disables that (such uploads get a 400).
  const unpacker = new SevenZipUnpacker({ timeoutMs: config.scanTimeoutMs });
  // Every file enters through the intake: uploads, ZIP members and bodies the URL job downloads.
  const intake = createIntake({
    store,
    blobs,
    queue,
    hashPool,
    unpacker,
    unpackLimits: { maxTotalBytes: config.maxLargeUploadBytes, maxEntries: MAX_UNPACKED_FILES },
    workDir: path.join(config.dataDir, 'tmp'),
    now,
  });
  let ready = false;
  const services = createServices({
    intake,
    store,
    blobs,
    queue,
    engines,
    analyzers,
    uploadUrlTtlMs: config.uploadUrlTtlMs,
    tiers: config.tiers,
    quotaTiers: config.tiers,
    quotaCounters: redisQuota?.counters,
    now,
    isReady: () => ready,
    credentialCacheMs: config.credentialCacheMs,
    urlEngines,
    intelSources,
    intelLookup: (source, target, signal, options) => intel.lookup(source, target, signal, options),
    capturer,
    logger: logger.child({ part: 'app' }),
    onBackgroundError: (error) => logger.warn({ err: error }, 'writing quota counts kept in memory failed; retrying'),
  });
  const pipeline = new FilePipeline({ engines, analyzers, logger: logger.child({ part: 'pipeline' }) });
  const workers = new JobRunner({
    queue,
    concurrency: config.workerConcurrency,
    kindLimits: parseKindLimits(config.jobKindConcurrency),
    leaseMs: config.jobLeaseMs,
    pollMs: config.jobPollMs,
    logger: logger.child({ part: 'worker' }),
    handlers: {
      [ANALYSE_FILE]: analyseFileHandler({ store, blobs, pipeline, logger, now, engines }),
      [ANALYSE_URL]: analyseUrlHandler({
        store,
        blobs,
        intake,
        filePipeline: pipeline,
        urlEngines: () => urlEngines.current(),
        fetcher,
        capturer,
        pageFacts: extractPageFacts,
        logger: logger.child({ part: 'url-pipeline' }),
        now,
      }),
    },
  });

  return {
    config,
    logger,
    store,
    blobs,
    queue,
    services,
    engines,
    analyzers,
    urlEngines,
    intelSources,
    workers,
    async start({ runWorkers, acceptUploads }) {
      if (config.bootstrapApiKey) {
        const outcome = await ensureBootstrapKey({ store, now, tiers: config.tiers }, config.bootstrapApiKey);
        if (outcome === 'created') logger.info('created an admin user for ASSAY_BOOTSTRAP_API_KEY');
      }
      const plugins = [
        ...engines.map((p) => ({ kind: 'engine', plugin: p })),
        ...analyzers.map((p) => ({ kind: 'analyzer', plugin: p })),
      ];
      const statuses = [
        ...(await Promise.all(plugins.map(async ({ kind, plugin }) => ({ kind, name: plugin.manifest.name, readiness: await plugin.start() })))),
        ...(await urlEngines.start()).map((s) => ({ kind: 'url-engine', ...s })),
        ...(await Promise.all(intelSources.map(async (p) => ({ kind: 'intel', name: p.manifest.name, readiness: await p.start() })))),
        ...(capturer ? [{ kind: 'url-capture', name: capturer.manifest.name, readiness: await capturer.start() }] : []),
      ];
      if (runWorkers) {
        workers.start();
        await feedScheduler?.start();
      }
      if (acceptUploads) {
        hashPool.warmUp();
        const unpacking = await unpacker.start();
        if (!unpacking.ready) logger.warn(`password-protected ZIP uploads will be refused: ${unpacking.detail}`);
      }
      ready = true;
      return statuses;
    },
    async close() {
      ready = false;
      await feedScheduler?.stop();
      await workers.stop();
      await hashPool.close();
      await Promise.allSettled([...engines, ...analyzers, ...intelSources].map((p) => p.close()));
      await urlEngines.close();
      await capturer?.close();
      await services.close().catch((error: unknown) => logger.warn({ err: error }, 'quota counts kept in memory were not written'));
      await queue.close();
      await blobStore.close();
      await redisQuota?.close();
      await store.close();
    },
  };
}
