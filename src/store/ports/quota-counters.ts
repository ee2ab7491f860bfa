/**
 * Quota counters and API usage, kept apart from the rest of the store so Redis can hold them for
 * several servers.
 */

/** One quota counter to check and bump. */
export interface QuotaCheck {
  key: string;
  /** The count the counter may reach; null counts without limiting. */
  limit: number | null;
  /** Unix seconds at which the counter resets to zero (the end of its window). */
  expiresAt: number;
  /** How much to add (default 1): uncapped counters are counted in memory and added in batches (app/quotas). */
  by?: number;
}

export type QuotaAdmission =
  /** Every counter was bumped; `counts` are their values afterwards, in check order. */
  | { admitted: true; counts: number[] }
  /** Nothing was bumped: `exhausted` is the index of the first check at its limit, `count` its value. */
  | { admitted: false; exhausted: number; count: number };

/** Time is passed in (Unix seconds) so adapters never read a clock of their own. */
export interface QuotaCounters {
  /**
   * All or nothing, atomically: when every counter is below its limit, bumps them all; otherwise
   * bumps none. A counter whose expiresAt is at or before `now` counts from zero again.
   */
  admit(checks: readonly QuotaCheck[], now: number): Promise<QuotaAdmission>;
  /** Current values, in key order; 0 for a counter that is absent or expired at `now`. */
  read(keys: readonly string[], now: number): Promise<number[]>;
  /** Adds `count` (default 1) requests of `userId` on UTC day `day` (YYYY-MM-DD) to endpoint group `group`. */
  recordUsage(userId: string, day: string, group: string, count?: number): Promise<void>;
  /** Requests per day and endpoint group, days fromDay..toDay inclusive; days without any are absent. */
  usage(userId: string, fromDay: string, toDay: string): Promise<Record<string, Record<string, number>>>;
}
