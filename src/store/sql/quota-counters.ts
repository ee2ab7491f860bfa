/**
 * Quota counters and API usage in SQL, one implementation for SQLite and PostgreSQL. An admit is
 * one transaction: SQLite's is IMMEDIATE (the adapter's driver begins every transaction so), which
 * serialises writers across connections and processes; PostgreSQL's locks the counter rows.
 */
import { sql, type Kysely } from 'kysely';
import type { QuotaAdmission, QuotaCheck, QuotaCounters } from '../ports/quota-counters.js';
import type { Database, SqlDialect } from './schema.js';

/** Expired counters are deleted at most this often (seconds of the callers' clock). */
const PURGE_INTERVAL_S = 60;
/**
 * A counter is deleted only this long after it expired. Callers name counters by window, so an
 * expired one is not used again; the margin keeps a purge from deleting a row an admit in flight
 * has just read as expired and is about to reset.
 */
const PURGE_GRACE_S = 3_600;
/** Usage is kept this many days (api_usage looks back 60). */
export const USAGE_RETENTION_DAYS = 70;

const DAY_S = 86_400;

/** Bytewise order, the order PostgreSQL's COLLATE "C" key column locks rows in. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The UTC day (YYYY-MM-DD) of Unix seconds. */
const dayOf = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 10);

export class SqlQuotaCounters implements QuotaCounters {
  private nextPurgeAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async admit(checks: readonly QuotaCheck[], now: number): Promise<QuotaAdmission> {
    if (checks.length === 0) return { admitted: true, counts: [] };
    const keys = checks.map((c) => c.key);
    if (new Set(keys).size !== keys.length) throw new Error(`duplicate quota counter keys: ${keys.join(', ')}`);
    const ordered = [...checks].sort((a, b) => byteOrder(a.key, b.key));

    const outcome = await this.db.transaction().execute(async (trx): Promise<QuotaAdmission> => {
      // 1. PostgreSQL: make every row exist, so that step 2 has rows to lock even for a fresh key
      //    (a concurrent transaction inserting the same key waits here until the first commits).
      //    SQLite needs no row locks: the IMMEDIATE transaction holds the database's write lock.
      if (this.dialect === 'postgres') {
        await trx
          .insertInto('quota_counters')
          .values(ordered.map((c) => ({ counter_key: c.key, count: 0, expires_at: c.expiresAt })))
          .onConflict((oc) => oc.column('counter_key').doNothing())
          .execute();
      }
      // 2. Read (on PostgreSQL: lock, in key order) the current values.
      const rows = await trx
        .selectFrom('quota_counters')
        .select(['counter_key', 'count', 'expires_at'])
        .where('counter_key', 'in', keys)
        .orderBy('counter_key')
        .$if(this.dialect === 'postgres', (qb) => qb.forUpdate())
        .execute();
      const current = new Map(rows.map((r) => [r.counter_key, r.expires_at <= now ? 0 : r.count]));
      const counts = checks.map((c) => current.get(c.key) ?? 0);
      // 3. All below their limits, or nothing changes.
      const exhausted = checks.findIndex((c, i) => c.limit !== null && counts[i]! >= c.limit);
      if (exhausted >= 0) return { admitted: false, exhausted, count: counts[exhausted]! };
      // 4. Write the new values in one statement; nobody can have changed them since step 2.
      await trx
        .insertInto('quota_counters')
        .values(ordered.map((c) => ({ counter_key: c.key, count: (current.get(c.key) ?? 0) + (c.by ?? 1), expires_at: c.expiresAt })))
        .onConflict((oc) =>
          oc.column('counter_key').doUpdateSet((eb) => ({ count: eb.ref('excluded.count'), expires_at: eb.ref('excluded.expires_at') })),
        )
        .execute();
      return { admitted: true, counts: counts.map((n, i) => n + (checks[i]!.by ?? 1)) };
    });

    await this.purgeExpired(now);
    return outcome;
  }

  async read(keys: readonly string[], now: number): Promise<number[]> {
    if (keys.length === 0) return [];
    const rows = await this.db
      .selectFrom('quota_counters')
      .select(['counter_key', 'count'])
      .where('counter_key', 'in', [...keys])
      .where('expires_at', '>', now)
      .execute();
    const byKey = new Map(rows.map((r) => [r.counter_key, r.count]));
    return keys.map((k) => byKey.get(k) ?? 0);
  }

  async recordUsage(userId: string, day: string, group: string, count = 1): Promise<void> {
    await this.db
      .insertInto('api_usage')
      .values({ user_id: userId, day, endpoint_group: group, count })
      .onConflict((oc) => oc.columns(['user_id', 'day', 'endpoint_group']).doUpdateSet({ count: sql<number>`api_usage.count + ${count}` }))
      .execute();
  }

  async usage(userId: string, fromDay: string, toDay: string): Promise<Record<string, Record<string, number>>> {
    const rows = await this.db
      .selectFrom('api_usage')
      .select(['day', 'endpoint_group', 'count'])
      .where('user_id', '=', userId)
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .orderBy('day')
      .orderBy('endpoint_group')
      .execute();
    const usage: Record<string, Record<string, number>> = {};
    for (const row of rows) (usage[row.day] ??= {})[row.endpoint_group] = row.count;
    return usage;
  }

  /** Lazy clean-up, at most once a PURGE_INTERVAL_S per instance: long-expired counters and old usage. */
  private async purgeExpired(now: number): Promise<void> {
    if (now < this.nextPurgeAt) return;
    this.nextPurgeAt = now + PURGE_INTERVAL_S;
    await this.db.deleteFrom('quota_counters').where('expires_at', '<=', now - PURGE_GRACE_S).execute();
    await this.db.deleteFrom('api_usage').where('day', '<', dayOf(now - USAGE_RETENTION_DAYS * DAY_S)).execute();
  }
}
