/**
 * Storage port for retention: deleting rows of tables that grow with traffic once they are past
 * their policy, one bounded batch at a time, so no purge holds a long write transaction.
 */

export interface RetentionRepository {
  /** Jobs done or failed before `finishedBeforeMs` (Unix ms). Pending and running jobs are never touched. */
  purgeFinishedJobs(finishedBeforeMs: number, limit: number): Promise<number>;
  /** Intel cache entries that expired before `expiredBeforeMs` (Unix ms). */
  purgeIntelCache(expiredBeforeMs: number, limit: number): Promise<number>;
  /** Upload tokens that expired before `expiredBefore` (Unix seconds), used or not. */
  purgeUploadTokens(expiredBefore: number, limit: number): Promise<number>;
  /** Embedded quota counters whose window ended before `expiredBefore` (Unix seconds). */
  purgeQuotaCounters(expiredBefore: number, limit: number): Promise<number>;
  /** API usage of UTC days before `beforeDay` (YYYY-MM-DD). */
  purgeApiUsage(beforeDay: string, limit: number): Promise<number>;
}
