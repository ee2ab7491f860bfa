/** Files in SQL: the submission upsert and hash lookups. */
import type { Kysely, Selectable } from 'kysely';
import type { HashKind } from '../../core/hashes.js';
import type { FileObject } from '../../core/model/file.js';
import type { FileRepository, FileSubmission } from '../ports/file-repository.js';
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
          reputation: 0,
          total_votes: toJson({ harmless: 0, malicious: 0 }),
        })
        .onConflict((oc) =>
          oc.column('sha256').doUpdateSet((eb) => ({
            times_submitted: eb('files.times_submitted', '+', 1),
            last_submission_date: eb.ref('excluded.last_submission_date'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      const names = fromJson<string[]>(row.names);
      if (name !== undefined && !names.includes(name)) {
        row.names = toJson([...names, name]);
        await trx.updateTable('files').set({ names: row.names }).where('sha256', '=', submission.sha256).execute();
      }
      return toFileRecord(row);
    });
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
