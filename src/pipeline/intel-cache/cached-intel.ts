/**
 * CachedIntel: the TTL cache in front of intel sources. Fresh answers come from the store; stale
 * ones are served at once and refreshed in the background; concurrent askers of one key share one
 * lookup; a per-source budget caps calls to the outside; failures are remembered briefly.
 */
import { PluginError, type IntelResult, type IntelSource, type IntelTarget } from '../../core/plugin.js';

/** The store's IntelCacheRepository has exactly this shape; MemoryIntelCacheStore is the in-process one. */
export interface IntelCacheStore {
  get(source: string, key: string): Promise<{ value: unknown; fetchedAt: number; expiresAt: number } | undefined>;
  put(source: string, key: string, entry: { value: unknown; fetchedAt: number; expiresAt: number }): Promise<void>;
  /** One token of the source's per-minute budget; false when spent. */
  takeBudget(source: string, perMinute: number, nowMs: number): Promise<boolean>;
}

export interface CachedIntelOptions {
  now?: () => number;
  /** Told about background refreshes that failed (their callers already have the stale answer). */
  onRefreshError?: (error: unknown, source: string, key: string) => void;
}

export interface LookupOptions {
  /** Ask the source even when a fresh answer is cached (rescans). */
  force?: boolean;
  /** Calls to this source allowed per minute, across processes sharing the store; absent: unlimited. */
  budgetPerMinute?: number;
}

export interface CachedLookup {
  result: IntelResult;
  /** Unix ms when the source produced the answer. */
  fetchedAt: number;
  fromCache: boolean;
  /** Past the source's TTL; a refresh has been started unless one is running or failed lately. */
  stale: boolean;
}

interface ErrorInfo {
  flag: string;
  message: string;
  retryable: boolean;
}

/**
 * What an entry's `value` holds: the last good answer, and/or the last failure with the time until
 * which it is not retried. A failed refresh keeps the good answer beside the error.
 */
export interface CachedValue {
  result?: IntelResult;
  error?: ErrorInfo;
  errorUntil?: number;
}

/** Failures are remembered at most this long, so a broken source is not hammered nor blamed for long. */
export const NEGATIVE_CACHE_MS = 60_000;

export const cacheKey = (target: IntelTarget): string =>
  target.kind === 'domain' ? `domain:${target.name.toLowerCase()}` : `ip:${target.address.toLowerCase()}`;

function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof PluginError) return { flag: error.flag, message: error.message, retryable: error.retryable };
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { flag: 'timeout', message: (error as Error).message, retryable: true };
  return { flag: 'uncaught_exception', message: (error as Error)?.message ?? String(error), retryable: true };
}

const toError = (info: ErrorInfo): PluginError => new PluginError(info.flag, info.message, info.retryable);

/** Waits for a shared promise on behalf of one caller, who may give up (abort) without cancelling it. */
function awaitWithSignal<T>(shared: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export class CachedIntel {
  private readonly now: () => number;
  private readonly onRefreshError: NonNullable<CachedIntelOptions['onRefreshError']>;
  /** Lookups in progress (cache read and, when needed, the source call), by source and key. */
  private readonly flights = new Map<string, Promise<CachedLookup>>();
  /** Background refreshes in progress, by source and key. */
  private readonly refreshes = new Map<string, Promise<void>>();

  constructor(
    private readonly store: IntelCacheStore,
    options: CachedIntelOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.onRefreshError = options.onRefreshError ?? (() => undefined);
  }

  async lookup(source: IntelSource, target: IntelTarget, signal: AbortSignal, options: LookupOptions = {}): Promise<CachedLookup> {
    const key = cacheKey(target);
    const id = `${source.manifest.name}\u0000${key}${options.force ? '\u0000force' : ''}`;
    let flight = this.flights.get(id);
    if (!flight) {
      flight = this.resolve(source, key, target, options).finally(() => this.flights.delete(id));
      this.flights.set(id, flight);
    }
    return awaitWithSignal(flight, signal);
  }

  /** Resolves once no background refresh is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.refreshes.size > 0) await Promise.allSettled([...this.refreshes.values()]);
  }

  private async resolve(source: IntelSource, key: string, target: IntelTarget, options: LookupOptions): Promise<CachedLookup> {
    const name = source.manifest.name;
    const entry = await this.store.get(name, key);
    const cached = entry?.value as CachedValue | undefined;
    const now = this.now();

    if (entry && cached && !options.force) {
      const failingLately = cached.error !== undefined && (cached.errorUntil ?? 0) > now;
      if (cached.result) {
        const stale = now >= entry.expiresAt;
        if (stale && !failingLately) this.refreshInBackground(source, key, target, options, entry.fetchedAt, cached.result);
        return { result: cached.result, fetchedAt: entry.fetchedAt, fromCache: true, stale };
      }
      if (failingLately) throw toError(cached.error!);
    }

    if (options.budgetPerMinute !== undefined && !(await this.store.takeBudget(name, options.budgetPerMinute, now))) {
      if (cached?.result && entry) return { result: cached.result, fetchedAt: entry.fetchedAt, fromCache: true, stale: now >= entry.expiresAt };
      throw new PluginError('rate-budget', `the ${name} source's budget of ${options.budgetPerMinute} lookups a minute is spent`, true);
    }
    return this.fetchAndStore(source, key, target, entry?.fetchedAt, cached?.result);
  }

  /** Calls the source under its own deadline (not any caller's) and records the answer or the failure. */
  private async fetchAndStore(
    source: IntelSource,
    key: string,
    target: IntelTarget,
    previousFetchedAt: number | undefined,
    previous: IntelResult | undefined,
  ): Promise<CachedLookup> {
    const name = source.manifest.name;
    let result: IntelResult;
    try {
      result = await source.lookup(target, AbortSignal.timeout(source.manifest.timeoutMs));
    } catch (error) {
      const info = errorInfo(error);
      const failedAt = this.now();
      const errorUntil = failedAt + Math.min(NEGATIVE_CACHE_MS, source.cacheTtlMs);
      const value: CachedValue = previous ? { result: previous, error: info, errorUntil } : { error: info, errorUntil };
      // With a previous answer the entry keeps its own freshness; without one it lives as long as the failure.
      const entry = previous
        ? { value, fetchedAt: previousFetchedAt ?? failedAt, expiresAt: (previousFetchedAt ?? failedAt) + source.cacheTtlMs }
        : { value, fetchedAt: failedAt, expiresAt: errorUntil };
      await this.store.put(name, key, entry);
      throw error instanceof PluginError ? error : toError(info);
    }
    const fetchedAt = this.now();
    const value: CachedValue = { result };
    await this.store.put(name, key, { value, fetchedAt, expiresAt: fetchedAt + source.cacheTtlMs });
    return { result, fetchedAt, fromCache: false, stale: false };
  }

  private refreshInBackground(
    source: IntelSource,
    key: string,
    target: IntelTarget,
    options: LookupOptions,
    previousFetchedAt: number,
    previous: IntelResult,
  ): void {
    const id = `${source.manifest.name}\u0000${key}`;
    if (this.refreshes.has(id)) return;
    const refresh = (async () => {
      if (options.budgetPerMinute !== undefined && !(await this.store.takeBudget(source.manifest.name, options.budgetPerMinute, this.now()))) return;
      await this.fetchAndStore(source, key, target, previousFetchedAt, previous);
    })()
      .catch((error: unknown) => this.onRefreshError(error, source.manifest.name, key))
      .finally(() => this.refreshes.delete(id));
    this.refreshes.set(id, refresh);
  }
}
