/** File submissions in SQL: one row each, listed newest first for the owners a caller may see. */
import type { Kysely, Selectable } from 'kysely';
import type { Page } from '../../core/model/page.js';
import type { Submission } from '../../core/model/submission.js';
import type { SubmissionRepository } from '../ports/submission-repository.js';
import { decodeCursor, encodeCursor } from './date-id-cursor.js';
import { pageLimit } from './keyset-paging.js';
import type { Database, SubmissionsTable } from './schema.js';

const toSubmission = (row: Selectable<SubmissionsTable>): Submission => ({
  id: row.id,
  sha256: row.sha256,
  date: row.date,
  interface: row.interface,
  name: row.name,
  sourceKey: row.source_key,
  owner: row.owner,
});

export class SqlSubmissionRepository implements SubmissionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(s: Submission): Promise<void> {
    await this.db
      .insertInto('submissions')
      .values({ id: s.id, sha256: s.sha256, date: s.date, interface: s.interface, name: s.name, source_key: s.sourceKey, owner: s.owner })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async listForFile(sha256: string, owners: readonly string[], options: { limit: number; cursor?: string }): Promise<Page<Submission>> {
    if (owners.length === 0) return { items: [] };
    const limit = pageLimit(options.limit);
    let query = this.db.selectFrom('submissions').selectAll().where('sha256', '=', sha256).where('owner', 'in', [...owners]);
    if (options.cursor !== undefined) {
      const { date, id } = decodeCursor(options.cursor);
      query = query.where((eb) => eb(eb.refTuple('date', 'id'), '<', eb.tuple(date, id)));
    }
    const rows = await query.orderBy('date', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const served = rows.slice(0, limit);
    const last = served.at(-1);
    return { items: served.map(toSubmission), ...(rows.length > limit && last ? { cursor: encodeCursor(last) } : {}) };
  }
}
