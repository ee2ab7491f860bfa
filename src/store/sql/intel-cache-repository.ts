/** The shared intel cache in SQL: answers by (source, key) with their expiry, and per-source request budgets per UTC minute. */
import type { Kysely } from 'kysely';
import type { IntelCacheEntry, IntelCacheRepository } from '../ports/intel-cache-repository.js';
import { fromJson, toJson } from './codec.js';
import type { Database } from './schema.js';

export class SqlIntelCacheRepository implements IntelCacheRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Expired entries are returned too: the caller decides whether a stale answer beats none. */
  async get(source: string, key: string): Promise<IntelCacheEntry | undefined> {
    const row = await this.db
      .selectFrom('intel_cache')
      .select(['value', 'fetched_at', 'expires_at'])
      .where('source', '=', source)
      .where('key', '=', key)
      .executeTakeFirst();
    return row && { value: fromJson<unknown>(row.value), fetchedAt: row.fetched_at, expiresAt: row.expires_at };
  }

  async put(source: string, key: string, entry: IntelCacheEntry): Promise<void> {
    await this.db
      .insertInto('intel_cache')
      .values({ source, key, value: toJson(entry.value), fetched_at: entry.fetchedAt, expires_at: entry.expiresAt })
      .onConflict((oc) =>
        oc.columns(['source', 'key']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          fetched_at: eb.ref('excluded.fetched_at'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .execute();
  }

  async takeBudget(source: string, perMinute: number, nowMs: number): Promise<boolean> {
    if (perMinute < 1) return false;
    const minute = Math.floor(nowMs / 60_000);
    // One statement decides: the first take of a minute inserts 1; later ones add 1 only while
    // below the budget, and a take refused by the WHERE returns no row.
    const taken = await this.db
      .insertInto('intel_budget')
      .values({ source, minute, used: 1 })
      .onConflict((oc) =>
        oc
          .columns(['source', 'minute'])
          .doUpdateSet((eb) => ({ used: eb('intel_budget.used', '+', 1) }))
          .where('intel_budget.used', '<', perMinute),
      )
      .returning('used')
      .executeTakeFirst();
    // A new minute's first take clears the source's past minutes, so the table holds one row per source.
    if (taken?.used === 1) {
      await this.db.deleteFrom('intel_budget').where('source', '=', source).where('minute', '<', minute).execute();
    }
    return taken !== undefined;
  }
}
