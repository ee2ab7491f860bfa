/**
 * The retention policy of tables that grow with traffic, and the periodic purge that applies it:
 * finished jobs, expired intel answers, upload tokens and quota counters, old API usage, staging
 * leftovers. Each table is purged in small batches with a pause between them, so a purge never
 * holds SQLite's write lock for long and uploads and analyses go on meanwhile.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Store } from '../../store/ports/store.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * Upload tokens and quota counters are purged this long after they expired: nothing reads them
 * after expiry, and the margin keeps a purge away from an admit that has just read a counter as
 * expired and is about to reset it.
 */
const EXPIRED_GRACE_MS = HOUR_MS;

export interface RetentionPolicy {
  /** Finished (done or failed) jobs are kept this many days. */
  jobsDays: number;
  /** Expired intel cache entries are kept this many days after expiry. */
  intelCacheGraceDays: number;
  /** API usage is kept this many days. */
  apiUsageDays: number;
  /** Staging files untouched this many hours are removed. */
  stagingHours: number;
}

/** Rows (or staging files) removed by one purge, by what they were. */
export interface PurgeCounts {
  jobs: number;
  intelCache: number;
  uploadTokens: number;
  quotaCounters: number;
  apiUsage: number;
  staging: number;
}

export interface RetentionDeps {
  store: Pick<Store, 'retention'>;
  /** The blob store's staging area; absent where there is none to sweep. */
  staging?: { purgeStaging(olderThanMs: number): Promise<number> };
  /** Unix milliseconds. */
  now: () => number;
  policy: RetentionPolicy;
  /** Rows deleted per statement (default 500). */
  batchSize?: number;
  /** At most this many batches per table per purge (default 200), so one run is bounded; the next goes on. */
  maxBatches?: number;
  /** Stops a purge between batches (shutdown). */
  signal?: AbortSignal;
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Deletes batch after batch until one comes back short, yielding between them. */
async function inBatches(purgeBatch: (limit: number) => Promise<number>, batchSize: number, maxBatches: number, signal?: AbortSignal): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches && !signal?.aborted; i++) {
    const deleted = await purgeBatch(batchSize);
    total += deleted;
    if (deleted < batchSize) break;
    await yieldToEventLoop();
  }
  return total;
}

/** One purge of everything past the policy at `deps.now()`. */
export async function purgeExpired(deps: RetentionDeps): Promise<PurgeCounts> {
  const { retention } = deps.store;
  const now = deps.now();
  const { policy } = deps;
  const size = Math.max(1, deps.batchSize ?? 500);
  const max = Math.max(1, deps.maxBatches ?? 200);
  const run = (purgeBatch: (limit: number) => Promise<number>) => inBatches(purgeBatch, size, max, deps.signal);
  const expiredBeforeS = Math.floor((now - EXPIRED_GRACE_MS) / 1000);
  return {
    jobs: await run((limit) => retention.purgeFinishedJobs(now - policy.jobsDays * DAY_MS, limit)),
    intelCache: await run((limit) => retention.purgeIntelCache(now - policy.intelCacheGraceDays * DAY_MS, limit)),
    uploadTokens: await run((limit) => retention.purgeUploadTokens(expiredBeforeS, limit)),
    quotaCounters: await run((limit) => retention.purgeQuotaCounters(expiredBeforeS, limit)),
    apiUsage: await run((limit) => retention.purgeApiUsage(utcDay(now - policy.apiUsageDays * DAY_MS), limit)),
    staging: deps.staging ? await deps.staging.purgeStaging(now - policy.stagingHours * HOUR_MS) : 0,
  };
}

export interface RetentionLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Runs purgeExpired every `intervalMs` (first run right after start) in `assay serve` and
 * `assay worker`. Several processes purging one store is harmless: a row is deleted once.
 */
export class RetentionScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly deps: RetentionDeps & { logger: RetentionLogger },
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    const tick = () => {
      // A purge still running when the next is due is not doubled.
      this.running ??= this.runOnce().finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async runOnce(): Promise<void> {
    try {
      const purged = await purgeExpired({ ...this.deps, signal: this.stopping.signal });
      if (Object.values(purged).some((n) => n > 0)) this.deps.logger.info({ purged }, 'retention purge');
    } catch (error) {
      this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'retention purge failed; retried at the next interval');
    }
  }
}
