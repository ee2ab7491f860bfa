/** Storage port for intel answers shared by every process (the TTL cache of app/intel) and their request budgets. */

export interface IntelCacheEntry {
  value: unknown;
  /** Unix milliseconds. */
  fetchedAt: number;
  expiresAt: number;
}

export interface IntelCacheRepository {
  get(source: string, key: string): Promise<IntelCacheEntry | undefined>;
  put(source: string, key: string, entry: IntelCacheEntry): Promise<void>;
  /**
   * Takes one token from the source's budget of `perMinute` requests in the current UTC minute,
   * shared by every process; false when the budget is spent.
   */
  takeBudget(source: string, perMinute: number, nowMs: number): Promise<boolean>;
}
