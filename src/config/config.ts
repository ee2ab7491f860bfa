/**
 * The one configuration schema: environment variables, overridden by CLI flags, checked once
 * with zod and frozen. process.env is read here and nowhere else.
 */
import path from 'node:path';
import { z } from 'zod';

const MB = 1024 * 1024;

/** A quota tier: request limits per window (null: unlimited) and the privileges it grants. */
const tierSchema = z.object({
  requestsPerMinute: z.number().int().positive().nullable(),
  requestsPerDay: z.number().int().positive().nullable(),
  requestsPerMonth: z.number().int().positive().nullable(),
  /** Requests of one user in flight at once, past which TooManyRequestsError. */
  maxConcurrentRequests: z.number().int().positive().default(8),
  privileges: z.array(z.string()).default([]),
});

export type TierConfig = z.infer<typeof tierSchema>;

/** VirusTotal's public API: 4 a minute, 500 a day, 15,500 a month, no privileges. */
export const defaultTiers: Readonly<Record<string, TierConfig>> = {
  public: { requestsPerMinute: 4, requestsPerDay: 500, requestsPerMonth: 15_500, maxConcurrentRequests: 4, privileges: [] },
  premium: {
    requestsPerMinute: 1_000,
    requestsPerDay: 1_000_000,
    requestsPerMonth: null,
    maxConcurrentRequests: 64,
    privileges: ['download', 'private_scanning', 'intelligence'],
  },
};

/** ASSAY_TIERS holds JSON; named tiers replace the defaults of the same name, others are added. */
const tiersSchema = z.preprocess(
  (value) => {
    let given: unknown = value ?? {};
    if (typeof value === 'string') {
      try {
        given = JSON.parse(value);
      } catch {
        return value; // left as text, the record schema reports it as not an object of tiers
      }
    }
    return typeof given === 'object' && given !== null ? { ...defaultTiers, ...given } : given;
  },
  z.record(z.string(), tierSchema),
);

const schema = z.object({
  /** Embedded SQLite database, blobs and rules live here. */
  dataDir: z.string().min(1).default('./data'),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Absolute base for links and upload URLs; defaults to the listening address. */
  publicUrl: z.url().optional(),
  /** postgres://... switches metadata to PostgreSQL. */
  databaseUrl: z.string().optional(),
  /** Socket path or host:port of an external clamd; absent means start our own. */
  clamd: z.string().optional(),
  /** First and longest delay before the supervised clamd is started again after a failed start, an exit or a hang. */
  clamdRestartMinMs: z.coerce.number().int().positive().default(250),
  clamdRestartMaxMs: z.coerce.number().int().positive().default(30_000),
  /** How often the supervised clamd is sent zPING, and how long it may take to answer; two misses in a row restart it. */
  clamdPingIntervalMs: z.coerce.number().int().positive().default(10_000),
  clamdPingTimeoutMs: z.coerce.number().int().positive().default(5_000),
  bootstrapApiKey: z.string().min(16).optional(),
  magikaModelDir: z.string().optional(),
  maxUploadBytes: z.coerce.number().int().positive().default(32 * MB),
  maxLargeUploadBytes: z.coerce.number().int().positive().default(650 * MB),
  uploadUrlTtlMs: z.coerce.number().int().positive().default(60 * 60 * 1000),
  scanTimeoutMs: z.coerce.number().int().positive().default(60_000),
  workerConcurrency: z.coerce.number().int().min(0).default(4),
  jobLeaseMs: z.coerce.number().int().positive().default(30_000),
  jobPollMs: z.coerce.number().int().positive().default(250),
  /** Quota tiers by name; `public` is the default for new users. */
  tiers: tiersSchema.default(defaultTiers),
  /** redis://... moves quota counters (and, with `queue: bullmq`, the job queue) to Redis. */
  redisUrl: z.string().optional(),
  /** Where jobs wait: `db`, the jobs table of the metadata database, or `bullmq` on ASSAY_REDIS_URL. */
  queue: z.enum(['db', 'bullmq']).default('db'),
  /** Redis key prefix of the BullMQ queues: instances sharing a Redis keep apart by it. */
  queuePrefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('assay'),
  /** Per-kind limits within the worker concurrency, `analyse-url=2,retrohunt=1`. */
  jobKindConcurrency: z
    .string()
    .regex(/^\s*[A-Za-z0-9_-]+=\d+\s*(,\s*[A-Za-z0-9_-]+=\d+\s*)*$/, 'expected kind=n,kind=n')
    .optional(),
  /** `s3://bucket/prefix` keeps samples in an S3-compatible bucket instead of `<data>/blobs`. */
  blobUrl: z.string().regex(/^s3:\/\//, 'expected s3://bucket/prefix').optional(),
  /** S3 endpoint for S3-compatible servers (MinIO, Ceph, ...); absent: AWS. */
  s3Endpoint: z.url().optional(),
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  s3ForcePathStyle: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  awsRegion: z.string().optional(),
  /** Absent: the AWS SDK's default chain (instance role, web identity, profile). */
  awsAccessKeyId: z.string().optional(),
  awsSecretAccessKey: z.string().optional(),
  awsSessionToken: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long an authenticated key is reused without reading the store; changes by another process (the CLI) apply within it. */
  credentialCacheMs: z.coerce.number().int().min(0).default(5_000),
  /** CIDRs the URL fetcher and TLS probe may reach despite the private-address refusal (labs, tests). */
  fetchAllow: z.string().optional(),
  /** Resolvers for intel and the fetcher, `ip[:port],...`; absent: the system's. */
  dnsServers: z.string().optional(),
  /** One RDAP server for every query (labs, tests); absent: the IANA bootstrap registries. */
  rdapUrl: z.url().optional(),
  /** Country MMDB (ip-location-db or MaxMind GeoLite2-Country); absent: the bundled ip-location-db one. */
  geoCountryMmdb: z.string().optional(),
  /** MaxMind GeoLite2-ASN MMDB; absent: the bundled ip-location-db ASN table. */
  geoAsnMmdb: z.string().optional(),
  /** Feeds `assay serve` re-imports on a schedule: `urlhaus=https://…@6h,plain:Name=https://…@12h` (docs/urls.md). */
  feeds: z.string().optional(),
  /** The port the TLS intel source reads certificates from (443; labs and tests move it). */
  tlsPort: z.coerce.number().int().min(1).max(65535).default(443),
  /** Chromium for URL screenshots; absent: /usr/bin/chromium when installed. `off` disables screenshots. */
  chromium: z.string().optional(),
  /** How often `assay serve` and `assay worker` purge rows past their retention; 0 turns purging off. */
  retentionIntervalMs: z.coerce.number().int().min(0).default(10 * 60 * 1000),
  /** Finished (done or failed) analysis jobs are kept this many days. */
  retentionJobsDays: z.coerce.number().min(0).default(7),
  /** Expired intel answers are kept this many days (served stale when a source fails), then purged. */
  retentionIntelCacheGraceDays: z.coerce.number().min(0).default(7),
  /** API usage per day is kept this many days; /users/{id}/api_usage looks back 60. */
  retentionApiUsageDays: z.coerce.number().min(60).default(70),
  /** Staging files (uploads and unpacked ZIPs) untouched this many hours are leftovers of a crash. */
  retentionStagingHours: z.coerce.number().positive().default(6),
  /** ICAP antivirus servers, each an engine: `Name=icap://host:1344/service?seats=4,...` (docs/engines.md). */
  icapEngines: z.string().optional(),
  /** A JSON file of vendor command-line engines (docs/engines.md). */
  vendorEngines: z.string().optional(),
});

/** Parses ASSAY_JOB_KIND_CONCURRENCY (`kind=n,...`). */
export function parseKindLimits(value: string | undefined): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const part of (value ?? '').split(',')) {
    const [kind, n] = part.split('=').map((s) => s.trim());
    if (kind && n) limits[kind] = Number(n);
  }
  return limits;
}

export type Config = Readonly<z.infer<typeof schema>> & {
  /** Derived: `<dataDir>/rules`, extra YARA rules. */
  readonly rulesDir: string;
  /** Derived: `<dataDir>/blobs`. */
  readonly blobDir: string;
  /** Derived: `<dataDir>/assay.db`. */
  readonly sqlitePath: string;
};

export type ConfigInput = Partial<Record<keyof z.input<typeof schema>, unknown>>;

const envNames: Record<keyof z.input<typeof schema>, string> = {
  dataDir: 'ASSAY_DATA_DIR',
  host: 'ASSAY_HOST',
  port: 'ASSAY_PORT',
  publicUrl: 'ASSAY_PUBLIC_URL',
  databaseUrl: 'ASSAY_DATABASE_URL',
  clamd: 'ASSAY_CLAMD',
  clamdRestartMinMs: 'ASSAY_CLAMD_RESTART_MIN_MS',
  clamdRestartMaxMs: 'ASSAY_CLAMD_RESTART_MAX_MS',
  clamdPingIntervalMs: 'ASSAY_CLAMD_PING_INTERVAL_MS',
  clamdPingTimeoutMs: 'ASSAY_CLAMD_PING_TIMEOUT_MS',
  bootstrapApiKey: 'ASSAY_BOOTSTRAP_API_KEY',
  magikaModelDir: 'ASSAY_MAGIKA_MODEL_DIR',
  maxUploadBytes: 'ASSAY_MAX_UPLOAD_BYTES',
  maxLargeUploadBytes: 'ASSAY_MAX_LARGE_UPLOAD_BYTES',
  uploadUrlTtlMs: 'ASSAY_UPLOAD_URL_TTL_MS',
  scanTimeoutMs: 'ASSAY_SCAN_TIMEOUT_MS',
  workerConcurrency: 'ASSAY_WORKER_CONCURRENCY',
  jobLeaseMs: 'ASSAY_JOB_LEASE_MS',
  jobPollMs: 'ASSAY_JOB_POLL_MS',
  tiers: 'ASSAY_TIERS',
  redisUrl: 'ASSAY_REDIS_URL',
  queue: 'ASSAY_QUEUE',
  queuePrefix: 'ASSAY_QUEUE_PREFIX',
  jobKindConcurrency: 'ASSAY_JOB_KIND_CONCURRENCY',
  blobUrl: 'ASSAY_BLOB_URL',
  s3Endpoint: 'ASSAY_S3_ENDPOINT',
  s3ForcePathStyle: 'ASSAY_S3_FORCE_PATH_STYLE',
  awsRegion: 'AWS_REGION',
  awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
  awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  awsSessionToken: 'AWS_SESSION_TOKEN',
  logLevel: 'ASSAY_LOG_LEVEL',
  credentialCacheMs: 'ASSAY_CREDENTIAL_CACHE_MS',
  fetchAllow: 'ASSAY_FETCH_ALLOW',
  dnsServers: 'ASSAY_DNS_SERVERS',
  rdapUrl: 'ASSAY_RDAP_URL',
  geoCountryMmdb: 'ASSAY_GEO_COUNTRY_MMDB',
  geoAsnMmdb: 'ASSAY_GEO_ASN_MMDB',
  chromium: 'ASSAY_CHROMIUM',
  tlsPort: 'ASSAY_TLS_PORT',
  feeds: 'ASSAY_FEEDS',
  retentionIntervalMs: 'ASSAY_RETENTION_INTERVAL_MS',
  retentionJobsDays: 'ASSAY_RETENTION_JOBS_DAYS',
  retentionIntelCacheGraceDays: 'ASSAY_RETENTION_INTEL_CACHE_GRACE_DAYS',
  retentionApiUsageDays: 'ASSAY_RETENTION_API_USAGE_DAYS',
  retentionStagingHours: 'ASSAY_RETENTION_STAGING_HOURS',
  icapEngines: 'ASSAY_ICAP_ENGINES',
  vendorEngines: 'ASSAY_VENDOR_ENGINES',
};

/** Reads the environment, applies overrides (CLI flags), validates and freezes. */
export function loadConfig(overrides: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') input[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) input[key] = value;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = i.path.join('.') as keyof typeof envNames;
      return `  ${envNames[key] ?? key}: ${i.message}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.queue === 'bullmq' && !parsed.data.redisUrl) throw new Error('Invalid configuration:\n  ASSAY_QUEUE: bullmq needs ASSAY_REDIS_URL');
  const dataDir = path.resolve(parsed.data.dataDir);
  return Object.freeze({
    ...parsed.data,
    dataDir,
    rulesDir: path.join(dataDir, 'rules'),
    blobDir: path.join(dataDir, 'blobs'),
    sqlitePath: path.join(dataDir, 'assay.db'),
  });
}
