/** Relationship edges in SQL: batch upserts that keep first_seen and move last_seen, most-recent-first paging per (object, name). */
import type { Kysely, Selectable } from 'kysely';
import type { Page } from '../../core/model/page.js';
import type { RelatedType, RelationEdge } from '../../core/model/relation.js';
import type { RelationRepository } from '../ports/relation-repository.js';
import { insertBatches } from './batches.js';
import { decodeKey, pageLimit, pageOf } from './keyset-paging.js';
import type { Database, RelationsTable } from './schema.js';

type EdgeObservation = Omit<RelationEdge, 'firstSeen' | 'lastSeen'> & { at: number };

function toRelationEdge(row: Selectable<RelationsTable>): RelationEdge {
  return {
    fromType: row.from_type,
    fromId: row.from_id,
    name: row.name,
    toType: row.to_type,
    toId: row.to_id,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    source: row.source,
  };
}

/**
 * One row per edge: PostgreSQL refuses an upsert that touches one row twice, so repeats in a batch
 * collapse here (the earliest and latest times, the first source). Sorting by key makes concurrent
 * batches lock shared edges in the same order, which rules out deadlocks between them.
 */
function collapse(edges: ReadonlyArray<EdgeObservation>): RelationsTable[] {
  const byKey = new Map<string, RelationsTable>();
  for (const edge of edges) {
    const key = JSON.stringify([edge.fromType, edge.fromId, edge.name, edge.toType, edge.toId]);
    const seen = byKey.get(key);
    if (seen) {
      seen.first_seen = Math.min(seen.first_seen, edge.at);
      seen.last_seen = Math.max(seen.last_seen, edge.at);
    } else {
      byKey.set(key, {
        from_type: edge.fromType,
        from_id: edge.fromId,
        name: edge.name,
        to_type: edge.toType,
        to_id: edge.toId,
        first_seen: edge.at,
        last_seen: edge.at,
        source: edge.source,
      });
    }
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

export class SqlRelationRepository implements RelationRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(edges: ReadonlyArray<EdgeObservation>): Promise<void> {
    const rows = collapse(edges);
    if (rows.length === 0) return;
    // One transaction: an analysis's edges appear together or not at all.
    await this.db.transaction().execute(async (trx) => {
      for (const batch of insertBatches(rows, 8)) {
        await trx
          .insertInto('relations')
          .values(batch)
          .onConflict((oc) =>
            oc.columns(['from_type', 'from_id', 'name', 'to_type', 'to_id']).doUpdateSet((eb) => ({
              // CASE rather than max()/GREATEST(), which the dialects spell differently; an edge
              // reported late never moves last_seen back.
              last_seen: eb
                .case()
                .when('excluded.last_seen', '>', eb.ref('relations.last_seen'))
                .then(eb.ref('excluded.last_seen'))
                .else(eb.ref('relations.last_seen'))
                .end(),
            })),
          )
          .execute();
      }
    });
  }

  async list(from: { type: RelatedType; id: string }, name: string, options: { limit: number; cursor?: string }): Promise<Page<RelationEdge>> {
    const limit = pageLimit(options.limit);
    let query = this.db
      .selectFrom('relations')
      .selectAll()
      .where('from_type', '=', from.type)
      .where('from_id', '=', from.id)
      .where('name', '=', name);
    if (options.cursor !== undefined) {
      const [lastSeen, toId, toType] = decodeKey(options.cursor, ['number', 'string', 'string']);
      // A row-value comparison walks the (…, last_seen, to_id, to_type) index on both dialects.
      query = query.where((eb) => eb(eb.refTuple('last_seen', 'to_id', 'to_type'), '<', eb.tuple(lastSeen, toId, toType as RelatedType)));
    }
    const rows = await query
      .orderBy('last_seen', 'desc')
      .orderBy('to_id', 'desc')
      .orderBy('to_type', 'desc')
      .limit(limit + 1)
      .execute();
    return pageOf(rows, limit, (row) => [row.last_seen, row.to_id, row.to_type], toRelationEdge);
  }

  async listTo(
    to: { type: RelatedType; id: string },
    name: string,
    fromType: RelatedType,
    options: { limit: number; cursor?: string },
  ): Promise<Page<RelationEdge>> {
    const limit = pageLimit(options.limit);
    let query = this.db
      .selectFrom('relations')
      .selectAll()
      .where('to_type', '=', to.type)
      .where('to_id', '=', to.id)
      .where('name', '=', name)
      .where('from_type', '=', fromType);
    if (options.cursor !== undefined) {
      const [lastSeen, fromId] = decodeKey(options.cursor, ['number', 'string']);
      // Walks relations_reverse_idx (…, from_type, last_seen, from_id).
      query = query.where((eb) => eb(eb.refTuple('last_seen', 'from_id'), '<', eb.tuple(lastSeen, fromId)));
    }
    const rows = await query.orderBy('last_seen', 'desc').orderBy('from_id', 'desc').limit(limit + 1).execute();
    return pageOf(rows, limit, (row) => [row.last_seen, row.from_id], toRelationEdge);
  }
}
