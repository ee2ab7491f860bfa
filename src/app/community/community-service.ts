/**
 * Use cases for comments and votes on files, URLs, domains and IP addresses: resolving the item a
 * path names, checking text and verdicts, ids, and who may delete what.
 */
import { commentTags, commentTextProblem, normaliseTag } from '../../core/comment-text.js';
import {
  commentId,
  communityCollections,
  domainItemId,
  ipItemId,
  urlItemId,
  voteId,
  type CommunityCollection,
  type CommunityItem,
} from '../../core/community-ids.js';
import { AppError } from '../../core/errors.js';
import { randomHex, toUnixSeconds } from '../../core/ids.js';
import type { Comment, CommentVerdict, VoteVerdict } from '../../core/model/community.js';
import type { FileObject } from '../../core/model/file.js';
import type { Store } from '../../store/ports/store.js';
import type { Principal } from '../principal.js';
import type { AppServices } from '../services.js';

export interface CommunityDeps {
  store: Pick<Store, 'comments' | 'votes'>;
  now: () => number;
  /**
   * A file as `principal` may see it, by md5, sha1 or sha256: the file service's lookup, so
   * comments and votes follow its visibility rules. Throws InvalidArgumentError or NotFoundError.
   */
  findFile(hash: string, principal: Principal): Promise<FileObject>;
}

type CommunityService = AppServices['community'];

const voteVerdicts: readonly string[] = ['harmless', 'malicious'] satisfies VoteVerdict[];
const commentVerdicts: readonly string[] = ['positive', 'negative', 'abuse'] satisfies CommentVerdict[];
const isVoteVerdict = (verdict: string): verdict is VoteVerdict => voteVerdicts.includes(verdict);
const isCommentVerdict = (verdict: string): verdict is CommentVerdict => commentVerdicts.includes(verdict);

/** What one vote adds to its item's reputation (docs/community.md). */
const reputationOf = (verdict: VoteVerdict): number => (verdict === 'harmless' ? 1 : -1);

/** URL, domain and IP ids are checked for syntax only: their objects do not exist yet, so any valid one is accepted. */
const itemParsers: Record<Exclude<CommunityCollection, 'files'>, { parse: (id: string) => string | undefined; what: string }> = {
  urls: { parse: urlItemId, what: 'URL identifier (sha256 of the URL, or the URL in unpadded base64url)' },
  domains: { parse: domainItemId, what: 'domain name' },
  ip_addresses: { parse: ipItemId, what: 'IP address' },
};

/** `filter=tag:<tag>` is the one filter VT documents for /comments; anything else is refused, not ignored. */
function tagOfFilter(filter: string | undefined): string | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const match = /^\s*tag:(.*)$/s.exec(filter);
  const tag = match ? normaliseTag(match[1]!.trim()) : '';
  if (tag === '') throw new AppError('InvalidArgumentError', `Unsupported filter "${filter}"; use tag:<tag>`);
  return tag;
}

export function createCommunityService(deps: CommunityDeps): CommunityService {
  const { store } = deps;
  const date = () => toUnixSeconds(deps.now());

  async function resolve(collection: CommunityCollection, id: string, principal: Principal): Promise<CommunityItem> {
    if (collection === 'files') return { type: 'file', id: (await deps.findFile(id, principal)).sha256 };
    const parser = itemParsers[collection];
    const canonical = parser.parse(id);
    if (canonical === undefined) throw new AppError('InvalidArgumentError', `"${id}" is not a valid ${parser.what}`);
    return { type: communityCollections[collection], id: canonical };
  }

  /** Whether the principal may see the item: files follow the file service's visibility (private submissions). */
  async function canSee(item: { itemType: string; itemId: string }, principal: Principal): Promise<boolean> {
    if (item.itemType !== 'file') return true;
    try {
      await deps.findFile(item.itemId, principal);
      return true;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NotFoundError') return false;
      throw error;
    }
  }

  /** A comment the principal may see; one on a file hidden from them is NotFoundError, as an unknown one. */
  async function findComment(id: string, principal: Principal) {
    const comment = await store.comments.get(id);
    if (!comment || !(await canSee(comment, principal))) throw new AppError('NotFoundError', `Comment "${id}" not found`);
    return comment;
  }

  return {
    async listComments(collection, id, principal, page) {
      return store.comments.listForItem(await resolve(collection, id, principal), page);
    },

    async addComment(collection, id, text, principal) {
      const problem = commentTextProblem(text);
      if (problem) throw new AppError('InvalidArgumentError', problem);
      const item = await resolve(collection, id, principal);
      return store.comments.create({
        id: commentId(item, randomHex(4)),
        itemType: item.type,
        itemId: item.id,
        authorId: principal.userId,
        date: date(),
        text,
        tags: commentTags(text),
      });
    },

    async latestComments(options, principal) {
      const tag = tagOfFilter(options.filter);
      // Comments on files hidden from the principal are dropped; pages are read on until one has
      // something to show or there are no more, since a page must never be empty with a cursor.
      let cursor = options.cursor;
      for (;;) {
        const page = await store.comments.listLatest({ limit: options.limit, cursor, tag });
        const visible: Comment[] = [];
        for (const comment of page.items) if (await canSee(comment, principal)) visible.push(comment);
        if (visible.length > 0 || page.cursor === undefined) return { items: visible, cursor: page.cursor };
        cursor = page.cursor;
      }
    },

    getComment: (id, principal) => findComment(id, principal),

    async deleteComment(id, principal) {
      const comment = await findComment(id, principal);
      if (comment.authorId !== principal.userId && !principal.isAdmin) {
        throw new AppError('ForbiddenError', 'Only the author of a comment or an admin can delete it');
      }
      // Deleted meanwhile by someone else: the outcome the caller wanted, so not an error.
      await store.comments.delete(id);
    },

    async voteOnComment(id, verdict, principal) {
      if (!isCommentVerdict(verdict)) {
        throw new AppError('InvalidArgumentError', `Comment vote must be one of ${commentVerdicts.join(', ')}`);
      }
      await findComment(id, principal);
      const votes = await store.comments.vote(id, principal.userId, verdict, date());
      if (!votes) throw new AppError('NotFoundError', `Comment "${id}" not found`);
      return votes;
    },

    async listVotes(collection, id, principal, page) {
      return store.votes.listForItem(await resolve(collection, id, principal), page);
    },

    async addVote(collection, id, verdict, principal) {
      if (!isVoteVerdict(verdict)) {
        throw new AppError('InvalidArgumentError', `Vote verdict must be one of ${voteVerdicts.join(', ')}`);
      }
      const item = await resolve(collection, id, principal);
      return store.votes.cast({
        id: voteId(item, randomHex(4)),
        itemType: item.type,
        itemId: item.id,
        userId: principal.userId,
        verdict,
        value: reputationOf(verdict),
        date: date(),
      });
    },

    async getVote(id, principal) {
      const vote = await store.votes.get(id);
      if (!vote || !(await canSee(vote, principal))) throw new AppError('NotFoundError', `Vote "${id}" not found`);
      return vote;
    },
  };
}
