/** Domain and IP address objects in SQL: attribute merges that concurrent intel lookups cannot lose, and subdomain listing by reversed labels. */
import { isDeepStrictEqual } from 'node:util';
import type { Kysely, Selectable } from 'kysely';
import type { NetworkObject, NetworkObjectType } from '../../core/model/network-object.js';
import type { Page } from '../../core/model/page.js';
import type { NetworkObjectRepository } from '../ports/network-repositories.js';
import { fromJson, toJson } from './codec.js';
import { decodeKey, pageLimit, pageOf } from './keyset-paging.js';
import type { Database, NetworkObjectsTable } from './schema.js';

/** `www.example.com` -> `com.example.www`: names under one parent share a prefix of this key. */
export const reverseLabels = (name: string): string => name.split('.').reverse().join('.');

function toNetworkObjectRecord(row: Selectable<NetworkObjectsTable>): NetworkObject {
  return {
    type: row.type,
    id: row.id,
    attributes: fromJson<Record<string, unknown>>(row.attributes),
    tags: fromJson<string[]>(row.tags),
    firstSeenDate: row.first_seen_date,
    lastModificationDate: row.last_modification_date,
  };
}

export class SqlNetworkObjectRepository implements NetworkObjectRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(type: NetworkObjectType, id: string): Promise<NetworkObject | undefined> {
    const row = await this.db.selectFrom('network_objects').selectAll().where('type', '=', type).where('id', '=', id).executeTakeFirst();
    return row && toNetworkObjectRecord(row);
  }

  merge(type: NetworkObjectType, id: string, attributes: Record<string, unknown>, at: number): Promise<NetworkObject> {
    // The merge happens here rather than in SQL: SQLite's json_patch merges nested objects and
    // drops null values, while the port wants top-level keys replaced, as PostgreSQL's jsonb || does.
    return this.db.transaction().execute(async (trx) => {
      // The upsert creates the row or, through its no-op update, takes its row lock (PostgreSQL;
      // SQLite's BEGIN IMMEDIATE holds the write lock already), so a concurrent merge waits here and
      // then reads this one's result instead of overwriting it.
      const row = await trx
        .insertInto('network_objects')
        .values({
          type,
          id,
          reversed_id: reverseLabels(id),
          attributes: toJson(attributes),
          tags: '[]',
          first_seen_date: at,
          last_modification_date: at,
        })
        .onConflict((oc) => oc.columns(['type', 'id']).doUpdateSet((eb) => ({ attributes: eb.ref('network_objects.attributes') })))
        .returningAll()
        .executeTakeFirstOrThrow();
      const stored = fromJson<Record<string, unknown>>(row.attributes);
      const merged = { ...stored, ...attributes };
      // A new row already holds `attributes`; an unchanged one keeps its modification date.
      if (isDeepStrictEqual(merged, stored)) return toNetworkObjectRecord(row);
      const updated = await trx
        .updateTable('network_objects')
        .set({ attributes: toJson(merged), last_modification_date: at })
        .where('type', '=', type)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toNetworkObjectRecord(updated);
    });
  }

  async listBySuffix(
    type: NetworkObjectType,
    suffix: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<NetworkObject>> {
    const limit = pageLimit(options.limit);
    // Every name under `suffix` has a reversed key starting `<reversed suffix>.`; '/' is the
    // character after '.', so the range ends there. Columns compare bytewise on both dialects.
    const prefix = `${reverseLabels(suffix)}.`;
    const end = `${prefix.slice(0, -1)}/`;
    let query = this.db
      .selectFrom('network_objects')
      .selectAll()
      .where('type', '=', type)
      .where('reversed_id', '>=', prefix)
      .where('reversed_id', '<', end);
    if (options.cursor !== undefined) query = query.where('reversed_id', '>', decodeKey(options.cursor, ['string'])[0]);
    const rows = await query.orderBy('reversed_id').limit(limit + 1).execute();
    return pageOf(rows, limit, (row) => [row.reversed_id], toNetworkObjectRecord);
  }
}
