/**
 * Retention in SQL: each purge deletes at most `limit` rows chosen by an indexed sub-select, in
 * one statement, so a purge is many short write transactions instead of one long one.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RetentionRepository } from '../ports/retention-repository.js';
import type { Database } from './schema.js';

const batch = (limit: number): number => Math.max(1, Math.floor(limit));

export class SqlRetentionRepository implements RetentionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  purgeFinishedJobs(finishedBeforeMs: number, limit: number): Promise<number> {
    // The status literal matches the partial index jobs_finished_idx (0008).
    return this.run(sql`DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs WHERE status IN ('done', 'failed') AND finished_at < ${finishedBeforeMs} ORDER BY finished_at LIMIT ${batch(limit)})
      AND status IN ('done', 'failed')`);
  }

  purgeIntelCache(expiredBeforeMs: number, limit: number): Promise<number> {
    return this.run(sql`DELETE FROM intel_cache WHERE (source, key) IN (
      SELECT source, key FROM intel_cache WHERE expires_at < ${expiredBeforeMs} ORDER BY expires_at LIMIT ${batch(limit)})
      AND expires_at < ${expiredBeforeMs}`);
  }

  purgeUploadTokens(expiredBefore: number, limit: number): Promise<number> {
    return this.run(sql`DELETE FROM upload_tokens WHERE token_hash IN (
      SELECT token_hash FROM upload_tokens WHERE expires_at < ${expiredBefore} ORDER BY expires_at LIMIT ${batch(limit)})`);
  }

  purgeQuotaCounters(expiredBefore: number, limit: number): Promise<number> {
    // Re-checked outside the sub-select: an admit may have renewed a row's window meanwhile.
    return this.run(sql`DELETE FROM quota_counters WHERE counter_key IN (
      SELECT counter_key FROM quota_counters WHERE expires_at < ${expiredBefore} ORDER BY expires_at LIMIT ${batch(limit)})
      AND expires_at < ${expiredBefore}`);
  }

  purgeApiUsage(beforeDay: string, limit: number): Promise<number> {
    return this.run(sql`DELETE FROM api_usage WHERE (user_id, day, endpoint_group) IN (
      SELECT user_id, day, endpoint_group FROM api_usage WHERE day < ${beforeDay} ORDER BY day LIMIT ${batch(limit)})`);
  }

  private async run(statement: RawBuilder<unknown>): Promise<number> {
    const result = await statement.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }
}
