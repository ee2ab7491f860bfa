/**
 * Comments and votes in SQL: comments with their tags and readers' votes, votes on objects that
 * move the object's totals and reputation in the same transaction, newest-first cursor paging.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { CommunityItem } from '../../core/community-ids.js';
import { AppError } from '../../core/errors.js';
import type { Comment, CommentVerdict, CommentVotes, Vote, VoteTotals } from '../../core/model/community.js';
import type { Page } from '../../core/model/page.js';
import { EVERYONE } from '../../core/model/visibility.js';
import type { CommentRepository, NewComment, NewVote, VisibleTo, VoteRepository } from '../ports/community-repositories.js';
import { fromJson, isUniqueViolation, toJson } from './codec.js';
import type { CommentsTable, Database, VotesTable } from './schema.js';
import { decodeCursor, encodeCursor } from './date-id-cursor.js';

function toCommentRecord(row: Selectable<CommentsTable>): Comment {
  return {
    id: row.id,
    itemType: row.item_type,
    itemId: row.item_id,
    authorId: row.author_id,
    date: row.date,
    text: row.text,
    tags: fromJson<string[]>(row.tags),
    votes: { positive: row.positive, negative: row.negative, abuse: row.abuse },
    visibility: row.visibility,
  };
}

function toVoteRecord(row: Selectable<VotesTable>): Vote {
  return {
    id: row.id,
    itemType: row.item_type,
    itemId: row.item_id,
    userId: row.user_id,
    verdict: row.verdict,
    value: row.value,
    date: row.date,
    visibility: row.visibility,
  };
}

/** The visibilities a reader may see: everyone's, and their own scopes'. */
const visibleScopes = (options: VisibleTo): string[] => [EVERYONE, ...(options.scopes ?? [])];

/** Rows strictly after the cursor in (date desc, id desc) order. */
function afterCursor(cursor: string, dateColumn: string, idColumn: string): RawBuilder<SqlBool> {
  const { date, id } = decodeCursor(cursor);
  const d = sql.ref(dateColumn);
  return sql<SqlBool>`(${d} < ${date} or (${d} = ${date} and ${sql.ref(idColumn)} < ${id}))`;
}

/** Queries fetch one row past the page, which tells whether another page exists without a count. */
function pageOf<T extends { date: number; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, cursor: encodeCursor(last) } : { items };
}

const pageLimit = (limit: number): number => Math.max(1, Math.floor(limit));

export class SqlCommentRepository implements CommentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(comment: NewComment): Promise<Comment> {
    try {
      const row = await this.db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('comments')
          .values({
            id: comment.id,
            item_type: comment.itemType,
            item_id: comment.itemId,
            author_id: comment.authorId,
            date: comment.date,
            text: comment.text,
            tags: toJson(comment.tags),
            positive: 0,
            negative: 0,
            abuse: 0,
            visibility: comment.visibility ?? EVERYONE,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const tags = [...new Set(comment.tags)];
        if (tags.length > 0) {
          await trx
            .insertInto('comment_tags')
            .values(tags.map((tag) => ({ comment_id: comment.id, tag, date: comment.date })))
            .execute();
        }
        return inserted;
      });
      return toCommentRecord(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('AlreadyExistsError', `Comment "${comment.id}" already exists`, { cause: error });
      throw error;
    }
  }

  async get(id: string): Promise<Comment | undefined> {
    const row = await this.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCommentRecord(row);
  }

  delete(id: string): Promise<boolean> {
    // Children first and explicitly, so deleting never depends on SQLite's foreign_keys pragma.
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('comment_tags').where('comment_id', '=', id).execute();
      await trx.deleteFrom('comment_votes').where('comment_id', '=', id).execute();
      const result = await trx.deleteFrom('comments').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async listForItem(item: CommunityItem, options: { limit: number; cursor?: string } & VisibleTo): Promise<Page<Comment>> {
    const limit = pageLimit(options.limit);
    let query = this.db
      .selectFrom('comments')
      .selectAll()
      .where('item_type', '=', item.type)
      .where('item_id', '=', item.id)
      .where('visibility', 'in', visibleScopes(options));
    if (options.cursor !== undefined) query = query.where(afterCursor(options.cursor, 'date', 'id'));
    const rows = await query.orderBy('date', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return pageOf(rows.map(toCommentRecord), limit);
  }

  async listLatest(options: { limit: number; cursor?: string; tag?: string } & VisibleTo): Promise<Page<Comment>> {
    const limit = pageLimit(options.limit);
    const visible = visibleScopes(options);
    if (options.tag === undefined) {
      let query = this.db.selectFrom('comments').selectAll().where('visibility', 'in', visible);
      if (options.cursor !== undefined) query = query.where(afterCursor(options.cursor, 'date', 'id'));
      const rows = await query.orderBy('date', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      return pageOf(rows.map(toCommentRecord), limit);
    }
    // Walks the (tag, date, comment_id) index; the date is copied there so no sort is needed.
    let query = this.db
      .selectFrom('comment_tags as t')
      .innerJoin('comments as c', 'c.id', 't.comment_id')
      .selectAll('c')
      .where('t.tag', '=', options.tag)
      .where('c.visibility', 'in', visible);
    if (options.cursor !== undefined) query = query.where(afterCursor(options.cursor, 't.date', 't.comment_id'));
    const rows = await query.orderBy('t.date', 'desc').orderBy('t.comment_id', 'desc').limit(limit + 1).execute();
    return pageOf(rows.map(toCommentRecord), limit);
  }

  vote(commentId: string, userId: string, verdict: CommentVerdict, at: number): Promise<CommentVotes | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // A no-op update takes the comment's row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE holds the
      // write lock already), so concurrent voters recount one after another and none is lost.
      const locked = await trx
        .updateTable('comments')
        .set((eb) => ({ positive: eb.ref('positive') }))
        .where('id', '=', commentId)
        .returning('id')
        .executeTakeFirst();
      if (!locked) return undefined;
      await trx
        .insertInto('comment_votes')
        .values({ comment_id: commentId, user_id: userId, verdict, date: at })
        .onConflict((oc) =>
          oc.columns(['comment_id', 'user_id']).doUpdateSet((eb) => ({ verdict: eb.ref('excluded.verdict'), date: eb.ref('excluded.date') })),
        )
        .execute();
      const counted = await trx
        .selectFrom('comment_votes')
        .select((eb) => ['verdict', eb.fn.countAll<number | string>().as('n')])
        .where('comment_id', '=', commentId)
        .groupBy('verdict')
        .execute();
      const votes: CommentVotes = { positive: 0, negative: 0, abuse: 0 };
      for (const row of counted) votes[row.verdict] = Number(row.n);
      await trx.updateTable('comments').set(votes).where('id', '=', commentId).execute();
      return votes;
    });
  }
}

export class SqlVoteRepository implements VoteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async cast(newVote: NewVote): Promise<Vote> {
    const vote: Vote = { ...newVote, visibility: newVote.visibility ?? EVERYONE };
    try {
      await this.db.transaction().execute(async (trx) => {
        // The insert comes first: a concurrent second vote of the same user waits on the unique
        // index here and fails once the first commits, before either touches the totals.
        await trx
          .insertInto('votes')
          .values({
            id: vote.id,
            item_type: vote.itemType,
            item_id: vote.itemId,
            user_id: vote.userId,
            verdict: vote.verdict,
            value: vote.value,
            date: vote.date,
            visibility: vote.visibility,
          })
          .execute();
        if (vote.visibility !== EVERYONE) {
          // Private: its scope adds it up from the votes table (privateTotals); the public totals stay.
          if (vote.itemType === 'file') {
            const file = await trx.selectFrom('files').select('sha256').where('sha256', '=', vote.itemId).executeTakeFirst();
            if (!file) throw new AppError('NotFoundError', `File "${vote.itemId}" not found`);
          }
          return;
        }
        const harmless = vote.verdict === 'harmless' ? 1 : 0;
        const malicious = vote.verdict === 'malicious' ? 1 : 0;
        if (vote.itemType === 'file') {
          // Updating before reading takes the file's row lock, so the read-modify-write of the
          // total_votes JSON below cannot lose another user's concurrent vote.
          const file = await trx
            .updateTable('files')
            .set((eb) => ({ reputation: eb('reputation', '+', vote.value) }))
            .where('sha256', '=', vote.itemId)
            .returning('total_votes')
            .executeTakeFirst();
          if (!file) throw new AppError('NotFoundError', `File "${vote.itemId}" not found`);
          const before = fromJson<Partial<Record<'harmless' | 'malicious', number>>>(file.total_votes);
          const after = { harmless: (before.harmless ?? 0) + harmless, malicious: (before.malicious ?? 0) + malicious };
          await trx.updateTable('files').set({ total_votes: toJson(after) }).where('sha256', '=', vote.itemId).execute();
        } else {
          await trx
            .insertInto('vote_totals')
            .values({ item_type: vote.itemType, item_id: vote.itemId, harmless, malicious, reputation: vote.value })
            .onConflict((oc) =>
              oc.columns(['item_type', 'item_id']).doUpdateSet((eb) => ({
                harmless: eb('vote_totals.harmless', '+', eb.ref('excluded.harmless')),
                malicious: eb('vote_totals.malicious', '+', eb.ref('excluded.malicious')),
                reputation: eb('vote_totals.reputation', '+', eb.ref('excluded.reputation')),
              })),
            )
            .execute();
        }
      });
      return vote;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('AlreadyExistsError', `User "${vote.userId}" has already voted on ${vote.itemType} "${vote.itemId}"`, { cause: error });
      }
      throw error;
    }
  }

  async get(id: string): Promise<Vote | undefined> {
    const row = await this.db.selectFrom('votes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toVoteRecord(row);
  }

  async listForItem(item: CommunityItem, options: { limit: number; cursor?: string } & VisibleTo): Promise<Page<Vote>> {
    const limit = pageLimit(options.limit);
    let query = this.db
      .selectFrom('votes')
      .selectAll()
      .where('item_type', '=', item.type)
      .where('item_id', '=', item.id)
      .where('visibility', 'in', visibleScopes(options));
    if (options.cursor !== undefined) query = query.where(afterCursor(options.cursor, 'date', 'id'));
    const rows = await query.orderBy('date', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    return pageOf(rows.map(toVoteRecord), limit);
  }

  async totals(item: CommunityItem): Promise<VoteTotals> {
    if (item.type === 'file') {
      const file = await this.db.selectFrom('files').select(['reputation', 'total_votes']).where('sha256', '=', item.id).executeTakeFirst();
      if (!file) return { harmless: 0, malicious: 0, reputation: 0 };
      const votes = fromJson<Partial<Record<'harmless' | 'malicious', number>>>(file.total_votes);
      return { harmless: votes.harmless ?? 0, malicious: votes.malicious ?? 0, reputation: file.reputation };
    }
    const row = await this.db
      .selectFrom('vote_totals')
      .select(['harmless', 'malicious', 'reputation'])
      .where('item_type', '=', item.type)
      .where('item_id', '=', item.id)
      .executeTakeFirst();
    return row ?? { harmless: 0, malicious: 0, reputation: 0 };
  }

  async privateTotals(item: CommunityItem, scopes: readonly string[]): Promise<VoteTotals> {
    const none = { harmless: 0, malicious: 0, reputation: 0 };
    if (scopes.length === 0) return none;
    const rows = await this.db
      .selectFrom('votes')
      .select((eb) => ['verdict', eb.fn.countAll<number | string>().as('n'), eb.fn.sum<number | string>('value').as('sum')])
      .where('item_type', '=', item.type)
      .where('item_id', '=', item.id)
      .where('visibility', 'in', [...scopes])
      .groupBy('verdict')
      .execute();
    const totals = { ...none };
    for (const row of rows) {
      totals[row.verdict] = Number(row.n);
      totals.reputation += Number(row.sum);
    }
    return totals;
  }
}
