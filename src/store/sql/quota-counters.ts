/**
 * Quota counters and API usage in SQL, one implementation for SQLite and PostgreSQL. An admit is
 * one transaction: SQLite's is IMMEDIATE (the adapter's driver begins every transaction so), which
 * serialises writers across connections and processes; PostgreSQL's locks the counter rows.
 */
import { sql, type Kysely } from 'kysely';
import type { QuotaAdmission, QuotaCheck, QuotaCounters } from '../ports/quota-counters.js';
import type { Database, SqlDialect } from './schema.js';

/** Bytewise order, the order PostgreSQL's COLLATE "C" key column locks rows in. */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class SqlQuotaCounters implements QuotaCounters {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async admit(checks: readonly QuotaCheck[], now: number): Promise<QuotaAdmission> {
    if (checks.length === 0) return { admitted: true, counts: [] };
    const keys = checks.map((c) => c.key);
    if (new Set(keys).size !== keys.length) throw new Error(`duplicate quota counter keys: ${keys.join(', ')}`);
    const ordered = [...checks].sort((a, b) => byteOrder(a.key, b.key));

    // Expired counters and old usage are deleted by the retention purge (app/retention), in batches.
    return this.db.transaction().execute(async (trx): Promise<QuotaAdmission> => {
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
}
