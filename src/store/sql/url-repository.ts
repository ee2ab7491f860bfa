/** URLs in SQL: the submission upsert and lookup by URL id. */
import type { Kysely, Selectable } from 'kysely';
import type { UrlObject } from '../../core/model/url.js';
import type { UrlRepository, UrlSubmission } from '../ports/url-repository.js';
import { firstSubmissionColumns, submittedItemFields } from './codec.js';
import type { Database, UrlsTable } from './schema.js';

export function toUrlRecord(row: Selectable<UrlsTable>): UrlObject {
  return {
    id: row.id,
    url: row.url,
    canonicalUrl: row.canonical_url,
    ...submittedItemFields(row),
  };
}

export class SqlUrlRepository implements UrlRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async recordSubmission(submission: UrlSubmission): Promise<UrlObject> {
    // One statement, so concurrent submissions of one URL each count; url and canonical_url keep
    // the first submission's form.
    const row = await this.db
      .insertInto('urls')
      .values({
        id: submission.id,
        url: submission.url,
        canonical_url: submission.canonicalUrl,
        ...firstSubmissionColumns(submission.at),
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          times_submitted: eb('urls.times_submitted', '+', 1),
          // CASE rather than max()/GREATEST(), which the two dialects spell differently; a submission
          // recorded late never moves the date back.
          last_submission_date: eb
            .case()
            .when('excluded.last_submission_date', '>', eb.ref('urls.last_submission_date'))
            .then(eb.ref('excluded.last_submission_date'))
            .else(eb.ref('urls.last_submission_date'))
            .end(),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUrlRecord(row);
  }

  async get(id: string): Promise<UrlObject | undefined> {
    const row = await this.db.selectFrom('urls').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUrlRecord(row);
  }
}
