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
import { createPeAnalyzer } from '../analyzers/pe/index.js';
import { createElfAnalyzer } from '../analyzers/elf/index.js';
import { createOfficeAnalyzer } from '../analyzers/office/index.js';
import { createPdfAnalyzer } from '../analyzers/pdf/index.js';
import { createScriptAnalyzer } from '../analyzers/script/index.js';
import { createServices } from '../app/create-services.js';
import { HashPool } from '../app/intake/hash-pool.js';
import { createIntake } from '../app/intake/intake.js';
import { RetentionScheduler } from '../app/retention/retention-purge.js';
import type { AppServices } from '../app/services.js';
import { ensureBootstrapKey } from '../app/users.js';
import { parseKindLimits, type Config } from '../config/config.js';
import type { Readiness } from '../core/plugin.js';
import { createClamavEngine } from '../engines/clamav/clamav-engine.js';
import { createYaraEngine } from '../engines/yara/yara-engine.js';
import { createIcapEngine, parseIcapTargets } from '../engines/icap/index.js';
import { createVendorCliEngine, loadVendorEngines } from '../engines/vendor-cli/index.js';
import { createAssayPeEngine } from '../engines/assay-pe/index.js';
import { createAssayElfEngine } from '../engines/assay-elf/index.js';
import { createAssayScriptEngine } from '../engines/assay-script/index.js';
import { createAssayOfficeEngine } from '../engines/assay-office/index.js';
import { createAssayPdfEngine } from '../engines/assay-pdf/index.js';
import { createAssayAndroidEngine } from '../engines/assay-android/index.js';
import { createHashlistEngine } from '../engines/hashlist/index.js';
import { createExiftoolAnalyzer } from '../analyzers/exiftool/index.js';
import { createAndroidAnalyzer } from '../analyzers/android/index.js';
import { createIndicatorsAnalyzer } from '../analyzers/indicators/index.js';
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
import { createUrlHeuristicsEngine } from '../url-engines/url-heuristics/index.js';
import { bundledRdapBootstrapDir, createFetchJson, DnsSource, GeoSource, RdapSource, TlsSource } from '../intel/index.js';
import { CachedIntel } from '../pipeline/intel-cache/cached-intel.js';
import { cachedSource, DEFAULT_INTEL_BUDGETS } from '../pipeline/intel-cache/cached-source.js';
import { createNetworkPipeline } from '../pipeline/network-pipeline.js';
import { PluginHost } from '../pipeline/plugin-host.js';
import { PluginRegistry, type HostedKind } from '../pipeline/plugin-registry.js';
import { AddressPolicy, parseAllowList } from '../net/address-policy.js';
import { createConnectGuard } from '../net/connect-guard.js';
import { serverResolver, systemResolver } from '../net/host-resolver.js';
import { SafeFetcher } from '../net/safe-fetcher.js';
import { FeedBlocklists } from './feed-blocklists.js';
import { openBlobStore, openJobQueue } from './scale-out.js';
import { ChromiumCapturer } from '../page-capturers/chromium/chromium-capturer.js';
import { extractPageFacts } from '../page-analyzers/html-page/page-facts.js';
import { FeedScheduler, parseFeedSchedule } from '../app/feeds/index.js';
import { rdapRegistryDir } from '../app/intel-refresh.js';

export interface Container {
  config: Config;
  logger: Logger;
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  services: AppServices;
  /** Runs every plugin (engines, analyzers, URL engines, intel sources, page capturers). */
  plugins: PluginHost;
  workers: JobRunner;
  /**
   * Starts plugins (reporting readiness), the in-process workers when `runWorkers`, and the upload
   * hashing threads when `acceptUploads` (so the first upload does not wait for them).
   */
  start(options: { runWorkers: boolean; acceptUploads: boolean }): Promise<Array<{ kind: HostedKind; name: string; readiness: Readiness }>>;
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

export interface ContainerOptions {
  /**
   * Registers plugins of your own after the built-in ones (an in-house engine, an extra intel
   * source): `registry.add('engine', myEngine)`. They are started, listed in `assay engines` and
   * /metadata, and run like the built-in ones.
   */
  plugins?: (registry: PluginRegistry) => void;
}

export async function buildContainer(config: Config, logger: Logger, options: ContainerOptions = {}): Promise<Container> {
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

  // Every plugin is registered here once; the host starts, lists and runs them.
  const registry = new PluginRegistry();
  registry.add(
    'engine',
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
  );
  registry.add(
    'engine',
    createYaraEngine({
      rulesDirs: [bundledYaraRulesDir(), config.rulesDir],
      logger: logger.child({ engine: 'YARA' }),
      maxBytes: config.maxLargeUploadBytes,
    }),
  );
  // Licensed engines the operator configured: ICAP servers and vendor command lines (docs/engines.md).
  // The registry refuses a second engine of one name, which start-up reports with that name.
  for (const target of config.icapEngines ? parseIcapTargets(config.icapEngines, { seats: 4, timeoutMs: config.scanTimeoutMs, maxBytes: config.maxLargeUploadBytes }) : []) {
    registry.add('engine', createIcapEngine({ target, logger: logger.child({ engine: target.name }) }));
  }
  for (const spec of config.vendorEngines ? loadVendorEngines(config.vendorEngines) : []) {
    registry.add('engine', createVendorCliEngine({ spec, logger: logger.child({ engine: spec.name }), defaultMaxBytes: config.maxLargeUploadBytes }));
  }
  // Our own heuristic engines (docs/engines.md): they judge the analyzers' attributes.
  for (const engine of [createAssayPeEngine(), createAssayElfEngine(), createAssayScriptEngine(), createAssayOfficeEngine(), createAssayPdfEngine(), createAssayAndroidEngine()]) {
    registry.add('engine', engine);
  }
  registry.add('engine', createHashlistEngine({ find: (hashes) => store.hashLists.find(hashes), lists: () => store.hashLists.list() }));
  registry.add('analyzer', createFiletypeAnalyzer({ magikaModelDir: config.magikaModelDir, logger: logger.child({ analyzer: 'filetype' }) }));
  registry.add('analyzer', createFuzzyAnalyzer({ logger: logger.child({ analyzer: 'fuzzy' }) }));
  registry.add('analyzer', createExiftoolAnalyzer({ logger: logger.child({ analyzer: 'exiftool' }) }));
  registry.add('analyzer', createIndicatorsAnalyzer({ logger: logger.child({ analyzer: 'indicators' }) }));
  // The parsers whose attributes the Assay-* engines judge (they run after the filetype analyzer, on their types only).
  registry.add('analyzer', createPeAnalyzer({ logger: logger.child({ analyzer: 'pe' }) }));
  registry.add('analyzer', createElfAnalyzer({ logger: logger.child({ analyzer: 'elf' }) }));
  registry.add('analyzer', createOfficeAnalyzer({ logger: logger.child({ analyzer: 'office' }) }));
  registry.add('analyzer', createPdfAnalyzer({ logger: logger.child({ analyzer: 'pdf' }) }));
  registry.add('analyzer', createScriptAnalyzer({ logger: logger.child({ analyzer: 'script' }) }));
  registry.add('analyzer', createAndroidAnalyzer({ logger: logger.child({ analyzer: 'android' }) }));

  // URLs and hosts are attacker-chosen: every connection goes through the address policy.
  const dnsServers = config.dnsServers ? config.dnsServers.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const resolver = dnsServers.length > 0 ? serverResolver(dnsServers) : systemResolver();
  const guard = createConnectGuard(resolver, new AddressPolicy({ allow: parseAllowList(config.fetchAllow ?? '') }));
  const fetcher = new SafeFetcher({ guard });
  registry.add('url-engine', createUrlHeuristicsEngine());
  registry.addSource('url-engine', new FeedBlocklists(store.feeds));
  // Screenshots: Chromium renders the page, but every request it makes is fetched by the safe fetcher.
  if (config.chromium !== 'off') {
    registry.add(
      'page-capturer',
      new ChromiumCapturer({
          executablePath: config.chromium,
          fetchResource: async (url, signal) => {
            const outcome = await fetcher.fetch(url, signal);
            return outcome.ok ? { ok: true, status: outcome.statusCode, headers: outcome.headers, body: outcome.body } : { ok: false, reason: outcome.reason };
          },
        }),
    );
  }
  // RDAP servers come from IANA's registries or the operator's ASSAY_RDAP_URL, not from users, so
  // they are fetched directly; a refreshed copy of the registries in the data dir wins over the shipped one.
  const refreshedRegistries = rdapRegistryDir(config.dataDir);
  registry.add('intel-source', new DnsSource({ servers: dnsServers.length > 0 ? dnsServers : undefined }));
  registry.add(
    'intel-source',
    new RdapSource({
      bootstrapDir: existsSync(path.join(refreshedRegistries, 'dns.json')) ? refreshedRegistries : bundledRdapBootstrapDir(),
      baseUrl: config.rdapUrl,
      fetchJson: createFetchJson(),
    }),
  );
  registry.add('intel-source', new TlsSource({ guard, port: config.tlsPort }));
  registry.add('intel-source', new GeoSource({ countryMmdb: config.geoCountryMmdb, asnMmdb: config.geoAsnMmdb }));
  options.plugins?.(registry);

  // Intel sources are asked through one TTL cache in the store, shared by every process.
  const intel = new CachedIntel(store.intelCache, {
    onRefreshError: (error, source, key) => logger.warn({ source, key, err: error instanceof Error ? error.message : String(error) }, 'background intel refresh failed'),
  });
  const host = new PluginHost(registry, {
    logger: logger.child({ part: 'plugins' }),
    wrap: { 'intel-source': (source) => cachedSource(intel, source, { budgetPerMinute: DEFAULT_INTEL_BUDGETS[source.manifest.name] }) },
  });

  // Parsed now, so a bad ASSAY_FEEDS stops start-up with its message rather than later.
  const feedScheduler = config.feeds
    ? new FeedScheduler({ store, logger: logger.child({ part: 'feeds' }), spoolDir: path.join(config.dataDir, 'tmp') }, parseFeedSchedule(config.feeds))
    : undefined;

  const retention = new RetentionScheduler(
    {
      store,
      staging: blobs,
      now,
      logger: logger.child({ part: 'retention' }),
      policy: {
        jobsDays: config.retentionJobsDays,
        intelCacheGraceDays: config.retentionIntelCacheGraceDays,
        apiUsageDays: config.retentionApiUsageDays,
        stagingHours: config.retentionStagingHours,
      },
    },
    config.retentionIntervalMs,
  );

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
    uploadUrlTtlMs: config.uploadUrlTtlMs,
    tiers: config.tiers,
    quotaTiers: config.tiers,
    quotaCounters: redisQuota?.counters,
    now,
    isReady: () => ready,
    credentialCacheMs: config.credentialCacheMs,
    plugins: host,
    networkPipeline: createNetworkPipeline({ store, host, now, logger: logger.child({ part: 'network-pipeline' }) }),
    onBackgroundError: (error) => logger.warn({ err: error }, 'writing quota counts kept in memory failed; retrying'),
  });
  const pipeline = new FilePipeline({ host, logger: logger.child({ part: 'pipeline' }) });
  const workers = new JobRunner({
    queue,
    concurrency: config.workerConcurrency,
    kindLimits: parseKindLimits(config.jobKindConcurrency),
    leaseMs: config.jobLeaseMs,
    pollMs: config.jobPollMs,
    logger: logger.child({ part: 'worker' }),
    handlers: {
      [ANALYSE_FILE]: analyseFileHandler({ store, blobs, pipeline, logger, now, host }),
      [ANALYSE_URL]: analyseUrlHandler({
        store,
        blobs,
        intake,
        filePipeline: pipeline,
        host,
        fetcher,
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
    plugins: host,
    workers,
    async start({ runWorkers, acceptUploads }) {
      if (config.bootstrapApiKey) {
        const outcome = await ensureBootstrapKey({ store, now, tiers: config.tiers }, config.bootstrapApiKey);
        if (outcome === 'created') logger.info('created an admin user for ASSAY_BOOTSTRAP_API_KEY');
      }
      const statuses = await host.start();
      if (runWorkers) {
        workers.start();
        await feedScheduler?.start();
      }
      retention.start();
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
      await retention.stop();
      await workers.stop();
      await hashPool.close();
      await host.close();
      await services.close().catch((error: unknown) => logger.warn({ err: error }, 'quota counts kept in memory were not written'));
      await queue.close();
      await blobStore.close();
      await redisQuota?.close();
      await store.close();
    },
  };
}
