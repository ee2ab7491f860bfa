/** WHOIS and certificate history in SQL: a content is added once per item and then only seen again; newest-first paging. */
import type { Kysely, Selectable } from 'kysely';
import type { HistoryEntry, HistoryKind, NetworkObjectType } from '../../core/model/network-object.js';
import type { Page } from '../../core/model/page.js';
import type { HistoryRepository } from '../ports/network-repositories.js';
import { fromJson, toJson } from './codec.js';
import { decodeKey, pageLimit, pageOf } from './keyset-paging.js';
import type { Database, HistoryTable } from './schema.js';

function toHistoryRecord(row: Selectable<HistoryTable>): HistoryEntry {
  return {
    id: row.id,
    kind: row.kind,
    itemType: row.item_type,
    itemId: row.item_id,
    content: fromJson<Record<string, unknown>>(row.content),
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
  };
}

export class SqlHistoryRepository implements HistoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(entry: Omit<HistoryEntry, 'firstSeen' | 'lastSeen'> & { at: number }): Promise<boolean> {
    const key = { kind: entry.kind, item_type: entry.itemType, item_id: entry.itemId, id: entry.id };
    // The id is a digest of the content, so a conflict means "seen before": no write of the
    // content, only the dates below. Of concurrent recorders of one new content, one inserts.
    const inserted = await this.db
      .insertInto('history')
      .values({ ...key, content: toJson(entry.content), first_seen: entry.at, last_seen: entry.at })
      .onConflict((oc) => oc.columns(['kind', 'item_type', 'item_id', 'id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return true;
    await this.db
      .updateTable('history')
      .set({ last_seen: entry.at })
      .where('kind', '=', key.kind)
      .where('item_type', '=', key.item_type)
      .where('item_id', '=', key.item_id)
      .where('id', '=', key.id)
      .where('last_seen', '<', entry.at)
      .execute();
    return false;
  }

  async list(
    kind: HistoryKind,
    item: { type: NetworkObjectType; id: string },
    options: { limit: number; cursor?: string },
  ): Promise<Page<HistoryEntry>> {
    const limit = pageLimit(options.limit);
    let query = this.db.selectFrom('history').selectAll().where('kind', '=', kind).where('item_type', '=', item.type).where('item_id', '=', item.id);
    if (options.cursor !== undefined) {
      const [lastSeen, id] = decodeKey(options.cursor, ['number', 'string']);
      query = query.where((eb) => eb(eb.refTuple('last_seen', 'id'), '<', eb.tuple(lastSeen, id)));
    }
    const rows = await query.orderBy('last_seen', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return pageOf(rows, limit, (row) => [row.last_seen, row.id], toHistoryRecord);
  }
}
