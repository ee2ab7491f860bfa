/** DNS resolutions in SQL (passive DNS): observations folded into one row per (IP, host) pairing, newest-first paging by host or by IP. */
import type { Kysely, Selectable } from 'kysely';
import type { Resolution } from '../../core/model/network-object.js';
import type { Page } from '../../core/model/page.js';
import type { ResolutionRepository } from '../ports/network-repositories.js';
import { insertBatches } from './batches.js';
import { decodeKey, pageLimit, pageOf } from './keyset-paging.js';
import type { Database, ResolutionsTable } from './schema.js';

type Observation = { ipAddress: string; hostName: string; resolver: string; at: number };

/** VT's resolution id. */
export const resolutionId = (ipAddress: string, hostName: string): string => `${ipAddress}${hostName}`;

function toResolutionRecord(row: Selectable<ResolutionsTable>): Resolution {
  return {
    id: row.id,
    ipAddress: row.ip_address,
    hostName: row.host_name,
    resolver: row.resolver,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

/**
 * One row per pairing, since PostgreSQL refuses an upsert that touches a row twice: the earliest
 * and latest times, and the resolver of the latest. Sorted by id so concurrent batches lock shared
 * rows in the same order (no deadlocks).
 */
function collapse(observations: ReadonlyArray<Observation>): ResolutionsTable[] {
  const byId = new Map<string, ResolutionsTable>();
  for (const o of observations) {
    const id = resolutionId(o.ipAddress, o.hostName);
    const seen = byId.get(id);
    if (!seen) {
      byId.set(id, { id, ip_address: o.ipAddress, host_name: o.hostName, resolver: o.resolver, first_seen: o.at, last_seen: o.at });
      continue;
    }
    seen.first_seen = Math.min(seen.first_seen, o.at);
    if (o.at >= seen.last_seen) {
      seen.last_seen = o.at;
      seen.resolver = o.resolver;
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export class SqlResolutionRepository implements ResolutionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(observations: ReadonlyArray<Observation>): Promise<void> {
    const rows = collapse(observations);
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const batch of insertBatches(rows, 6)) {
        await trx
          .insertInto('resolutions')
          .values(batch)
          .onConflict((oc) =>
            // CASE rather than min()/LEAST() and max()/GREATEST(), which the dialects spell differently.
            oc.column('id').doUpdateSet((eb) => ({
              first_seen: eb
                .case()
                .when('excluded.first_seen', '<', eb.ref('resolutions.first_seen'))
                .then(eb.ref('excluded.first_seen'))
                .else(eb.ref('resolutions.first_seen'))
                .end(),
              last_seen: eb
                .case()
                .when('excluded.last_seen', '>=', eb.ref('resolutions.last_seen'))
                .then(eb.ref('excluded.last_seen'))
                .else(eb.ref('resolutions.last_seen'))
                .end(),
              resolver: eb
                .case()
                .when('excluded.last_seen', '>=', eb.ref('resolutions.last_seen'))
                .then(eb.ref('excluded.resolver'))
                .else(eb.ref('resolutions.resolver'))
                .end(),
            })),
          )
          .execute();
      }
    });
  }

  async get(id: string): Promise<Resolution | undefined> {
    const row = await this.db.selectFrom('resolutions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toResolutionRecord(row);
  }

  listForHost(hostName: string, options: { limit: number; cursor?: string }): Promise<Page<Resolution>> {
    return this.listBy('host_name', hostName, options);
  }

  listForIp(ipAddress: string, options: { limit: number; cursor?: string }): Promise<Page<Resolution>> {
    return this.listBy('ip_address', ipAddress, options);
  }

  private async listBy(
    column: 'host_name' | 'ip_address',
    value: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<Resolution>> {
    const limit = pageLimit(options.limit);
    let query = this.db.selectFrom('resolutions').selectAll().where(column, '=', value);
    if (options.cursor !== undefined) {
      const [lastSeen, id] = decodeKey(options.cursor, ['number', 'string']);
      query = query.where((eb) => eb(eb.refTuple('last_seen', 'id'), '<', eb.tuple(lastSeen, id)));
    }
    const rows = await query.orderBy('last_seen', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return pageOf(rows, limit, (row) => [row.last_seen, row.id], toResolutionRecord);
  }
}
