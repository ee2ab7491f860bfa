/** Analyses in SQL: lifecycle, the one-transaction completion that also updates the file or URL, cursor paging. */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { emptyStats, type AnalysisStats, type EngineResult } from '../../core/verdict.js';
import type { Analysis, AnalysisItemType } from '../../core/model/analysis.js';
import type { Page } from '../../core/model/page.js';
import type { AnalysisRepository, FileAnalysisOutcome, UrlAnalysisOutcome } from '../ports/analysis-repository.js';
import { affectedRows, fromJson, toJson } from './codec.js';
import type { AnalysesTable, Database } from './schema.js';
import { decodeCursor, encodeCursor } from './date-id-cursor.js';

function toAnalysisRecord(row: Selectable<AnalysesTable>): Analysis {
  return {
    id: row.id,
    itemType: row.item_type,
    itemId: row.item_id,
    status: row.status,
    date: row.date,
    results: fromJson<EngineResult[]>(row.results),
    stats: fromJson<AnalysisStats>(row.stats),
    completedAt: row.completed_at,
  };
}

/** Attributes merge shallowly (new keys replace old ones); tags are a union in first-seen order. */
function mergeFileFacts(
  current: { attributes: string; tags: string },
  outcome: Pick<FileAnalysisOutcome, 'attributes' | 'tags'>,
): { attributes: string; tags: string } {
  const attributes = { ...fromJson<Record<string, unknown>>(current.attributes), ...outcome.attributes };
  const tags = [...new Set([...fromJson<string[]>(current.tags), ...outcome.tags])];
  return { attributes: toJson(attributes), tags: toJson(tags) };
}

/** Marks the analysis completed; false when it already was, so a job that ran twice completes once. */
async function completeOnce(
  trx: Transaction<Database>,
  outcome: { analysisId: string; results: EngineResult[]; stats: AnalysisStats; at: number },
): Promise<boolean> {
  const completed = await trx
    .updateTable('analyses')
    .set({
      status: 'completed',
      results: toJson(outcome.results),
      stats: toJson(outcome.stats),
      completed_at: outcome.at,
    })
    .where('id', '=', outcome.analysisId)
    .where('status', '!=', 'completed')
    .executeTakeFirst();
  return affectedRows(completed) > 0;
}

export class SqlAnalysisRepository implements AnalysisRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(analysis: { id: string; itemType: AnalysisItemType; itemId: string; date: number }): Promise<Analysis> {
    const row = await this.db
      .insertInto('analyses')
      .values({
        id: analysis.id,
        item_type: analysis.itemType,
        item_id: analysis.itemId,
        status: 'queued',
        date: analysis.date,
        results: '[]',
        stats: toJson(emptyStats()),
        completed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAnalysisRecord(row);
  }

  async get(id: string): Promise<Analysis | undefined> {
    const row = await this.db.selectFrom('analyses').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAnalysisRecord(row);
  }

  async markInProgress(id: string): Promise<void> {
    await this.db
      .updateTable('analyses')
      .set({ status: 'in-progress' })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .execute();
  }

  completeFileAnalysis(outcome: FileAnalysisOutcome): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await completeOnce(trx, outcome))) return false;

      // The file object's last_analysis_* are what everyone sees, so a private analysis does not
      // move them (its owners see it through latestPrivate). Attributes and tags describe the
      // bytes, which anyone who may see the file has, so every analysis merges them.
      const owner = await trx.selectFrom('analysis_owners').select('owner').where('analysis_id', '=', outcome.analysisId).executeTakeFirst();
      const lastAnalysis = owner
        ? {}
        : {
            last_analysis_id: outcome.analysisId,
            last_analysis_date: outcome.at,
            last_analysis_results: toJson(outcome.results),
            last_analysis_stats: toJson(outcome.stats),
          };
      // Updating before reading locks the file row (PostgreSQL), so two analyses of one file
      // completing together merge their attributes instead of one overwriting the other.
      const file = await trx
        .updateTable('files')
        .set((eb) => ({ ...lastAnalysis, sha256: eb.ref('sha256') }))
        .where('sha256', '=', outcome.sha256)
        .returning(['attributes', 'tags'])
        .executeTakeFirst();
      if (!file) throw new Error(`completeFileAnalysis: file ${outcome.sha256} is not recorded`);

      await trx.updateTable('files').set(mergeFileFacts(file, outcome)).where('sha256', '=', outcome.sha256).execute();
      return true;
    });
  }

  completeUrlAnalysis(outcome: UrlAnalysisOutcome): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await completeOnce(trx, outcome))) return false;
      // A fetch describes the URL at one moment, so the newest analysis replaces attributes and
      // tags whole (unlike a file's, which accumulate): one UPDATE, nothing to read first.
      const url = await trx
        .updateTable('urls')
        .set({
          last_analysis_id: outcome.analysisId,
          last_analysis_date: outcome.at,
          last_analysis_results: toJson(outcome.results),
          last_analysis_stats: toJson(outcome.stats),
          attributes: toJson(outcome.attributes),
          tags: toJson([...new Set(outcome.tags)]),
        })
        .where('id', '=', outcome.urlId)
        .executeTakeFirst();
      if (affectedRows(url) === 0) throw new Error(`completeUrlAnalysis: URL ${outcome.urlId} is not recorded`);
      return true;
    });
  }

  async listForItem(itemId: string, options: { limit: number; cursor?: string }): Promise<Page<Analysis>> {
    const limit = Math.max(1, Math.floor(options.limit));
    let query = this.db.selectFrom('analyses').selectAll().where('item_id', '=', itemId);
    if (options.cursor !== undefined) {
      const after = decodeCursor(options.cursor);
      query = query.where((eb) =>
        eb.or([eb('date', '<', after.date), eb.and([eb('date', '=', after.date), eb('id', '<', after.id)])]),
      );
    }
    const rows = await query
      .orderBy('date', 'desc')
      .orderBy('id', 'desc')
      // One row past the page tells whether another page exists without a count.
      .limit(limit + 1)
      .execute();
    const items = rows.slice(0, limit).map(toAnalysisRecord);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, cursor: encodeCursor(last) } : { items };
  }

  async latestPrivate(itemId: string, owners: readonly string[]): Promise<Analysis | undefined> {
    if (owners.length === 0) return undefined;
    const row = await this.db
      .selectFrom('analyses as a')
      .innerJoin('analysis_owners as o', 'o.analysis_id', 'a.id')
      .selectAll('a')
      .where('a.item_id', '=', itemId)
      .where('a.status', '=', 'completed')
      .where('o.owner', 'in', [...owners])
      .orderBy('a.completed_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toAnalysisRecord(row);
  }

  async listUnfinished(limit: number): Promise<Analysis[]> {
    const rows = await this.db
      .selectFrom('analyses')
      .selectAll()
      // A literal, not a bound parameter, so both planners can use the partial index on unfinished rows.
      .where(sql<boolean>`status <> 'completed'`)
      .orderBy('date')
      .orderBy('id')
      .limit(Math.max(1, Math.floor(limit)))
      .execute();
    return rows.map(toAnalysisRecord);
  }
}
