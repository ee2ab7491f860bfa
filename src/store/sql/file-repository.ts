/** Files in SQL: the submission upsert and hash lookups. */
import type { Kysely, Selectable } from 'kysely';
import type { HashKind } from '../../core/hashes.js';
import type { FileObject } from '../../core/model/file.js';
import { EVERYONE } from '../../core/model/visibility.js';
import type { FileRepository, FileSubmission, SubmissionCounts } from '../ports/file-repository.js';
import { firstSubmissionColumns, fromJson, submittedItemFields, toJson } from './codec.js';
import type { Database, FilesTable } from './schema.js';

export function toFileRecord(row: Selectable<FilesTable>): FileObject {
  return {
    sha256: row.sha256,
    sha1: row.sha1,
    md5: row.md5,
    size: row.size,
    names: fromJson<string[]>(row.names),
    ...submittedItemFields(row),
    reputation: row.reputation,
    totalVotes: fromJson<{ harmless: number; malicious: number }>(row.total_votes),
  };
}

export class SqlFileRepository implements FileRepository {
  constructor(private readonly db: Kysely<Database>) {}

  recordSubmission(submission: FileSubmission): Promise<FileObject> {
    const name = submission.name?.trim() ? submission.name : undefined;
    const isPublic = (submission.owner ?? EVERYONE) === EVERYONE;
    // The upsert takes the row lock (PostgreSQL) or the write lock (SQLite, BEGIN IMMEDIATE) first,
    // so the read-modify-write of `names` below cannot lose a concurrent submission's name.
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('files')
        .values({
          sha256: submission.sha256,
          sha1: submission.sha1,
          md5: submission.md5,
          size: submission.size,
          names: toJson(name === undefined ? [] : [name]),
          ...firstSubmissionColumns(submission.at),
          // A file first submitted privately has no public submission yet.
          times_submitted: isPublic ? 1 : 0,
          reputation: 0,
          total_votes: toJson({ harmless: 0, malicious: 0 }),
        })
        .onConflict((oc) =>
          oc.column('sha256').doUpdateSet((eb) =>
            isPublic
              ? {
                  times_submitted: eb('files.times_submitted', '+', 1),
                  // The first public submission of a file seen only privately so far dates the file.
                  first_submission_date: eb
                    .case()
                    .when('files.times_submitted', '=', 0)
                    .then(eb.ref('excluded.first_submission_date'))
                    .else(eb.ref('files.first_submission_date'))
                    .end(),
                  last_submission_date: eb.ref('excluded.last_submission_date'),
                }
              : // A no-op that still returns the row (and takes its lock).
                { times_submitted: eb.ref('files.times_submitted') },
          ),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      if (!isPublic) {
        await trx
          .insertInto('file_submissions')
          .values({
            sha256: submission.sha256,
            owner: submission.owner!,
            times_submitted: 1,
            first_submission_date: submission.at,
            last_submission_date: submission.at,
          })
          .onConflict((oc) =>
            oc.columns(['sha256', 'owner']).doUpdateSet((eb) => ({
              times_submitted: eb('file_submissions.times_submitted', '+', 1),
              last_submission_date: eb.ref('excluded.last_submission_date'),
            })),
          )
          .execute();
      }
      const names = fromJson<string[]>(row.names);
      if (name !== undefined && !names.includes(name)) {
        row.names = toJson([...names, name]);
        await trx.updateTable('files').set({ names: row.names }).where('sha256', '=', submission.sha256).execute();
      }
      return toFileRecord(row);
    });
  }

  async privateSubmissions(sha256: string, owners: readonly string[]): Promise<SubmissionCounts | undefined> {
    if (owners.length === 0) return undefined;
    const row = await this.db
      .selectFrom('file_submissions')
      .select((eb) => [
        eb.fn.sum<number | string | null>('times_submitted').as('times'),
        eb.fn.min<number | string | null>('first_submission_date').as('first'),
        eb.fn.max<number | string | null>('last_submission_date').as('last'),
      ])
      .where('sha256', '=', sha256)
      .where('owner', 'in', [...owners])
      .executeTakeFirst();
    if (!row || row.times === null || row.first === null || row.last === null) return undefined;
    return { timesSubmitted: Number(row.times), firstSubmissionDate: Number(row.first), lastSubmissionDate: Number(row.last) };
  }

  async findByHash(kind: HashKind, value: string): Promise<FileObject | undefined> {
    const row = await this.db
      .selectFrom('files')
      .selectAll()
      .where(kind, '=', value.toLowerCase())
      .orderBy('first_submission_date')
      .limit(1)
      .executeTakeFirst();
    return row && toFileRecord(row);
  }
}
