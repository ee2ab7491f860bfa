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
import type { CommentVerdict, VoteVerdict } from '../../core/model/community.js';
import { EVERYONE } from '../../core/model/visibility.js';
import type { FileObject } from '../../core/model/file.js';
import type { Store } from '../../store/ports/store.js';
import { scopesOf, writeScopeFor } from '../accounts/visibility.js';
import type { Principal } from '../principal.js';
import type { AppServices } from '../services.js';

export interface CommunityDeps {
  store: Pick<Store, 'comments' | 'votes' | 'access'>;
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

/**
 * Whether the principal may read a comment or vote: public ones, and those written under one of
 * their scopes. A private file's comments and votes all carry its owner's scope, so this is also
 * the file's own visibility, now and after the file becomes public.
 */
const canRead = (written: { visibility: string }, principal: Principal): boolean =>
  written.visibility === EVERYONE || scopesOf(principal).includes(written.visibility);

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

  /**
   * The scope a comment or vote on the item is written under: the private owner through which
   * the principal sees a private file, so it stays hidden from others even once the file becomes
   * public; everyone for anything else (URLs, domains and IPs have no private submissions).
   */
  async function writeScope(item: CommunityItem, principal: Principal): Promise<string> {
    if (item.type !== 'file') return EVERYONE;
    return writeScopeFor(await store.access.fileOwners(item.id), principal);
  }

  /** A comment the principal may see; one written under another's private scope is NotFoundError, as an unknown one. */
  async function findComment(id: string, principal: Principal) {
    const comment = await store.comments.get(id);
    if (!comment || !canRead(comment, principal)) throw new AppError('NotFoundError', `Comment "${id}" not found`);
    return comment;
  }

  return {
    async listComments(collection, id, principal, page) {
      return store.comments.listForItem(await resolve(collection, id, principal), { ...page, scopes: scopesOf(principal) });
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
        visibility: await writeScope(item, principal),
      });
    },

    async latestComments(options, principal) {
      const tag = tagOfFilter(options.filter);
      return store.comments.listLatest({ limit: options.limit, cursor: options.cursor, tag, scopes: scopesOf(principal) });
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
      return store.votes.listForItem(await resolve(collection, id, principal), { ...page, scopes: scopesOf(principal) });
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
        visibility: await writeScope(item, principal),
      });
    },

    async getVote(id, principal) {
      const vote = await store.votes.get(id);
      if (!vote || !canRead(vote, principal)) throw new AppError('NotFoundError', `Vote "${id}" not found`);
      return vote;
    },
  };
}
