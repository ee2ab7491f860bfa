/** Storage ports for community content: comments (with their readers' votes) and votes on items. */
import type { CommunityItem } from '../../core/community-ids.js';
import type { Comment, CommentVerdict, CommentVotes, Vote, VoteTotals } from '../../core/model/community.js';
import type { Page } from '../../core/model/page.js';

/** A comment to store; without `visibility` it is public. */
export type NewComment = Omit<Comment, 'votes' | 'visibility'> & { visibility?: string };

/** A vote to cast; without `visibility` it is public. */
export type NewVote = Omit<Vote, 'visibility'> & { visibility?: string };

/**
 * Which rows a read returns: the public ones, and those written under one of `scopes` (the
 * reader's own user and group scopes). No scopes: public rows only.
 */
export interface VisibleTo {
  scopes?: readonly string[];
}

export interface CommentRepository {
  /** Stores the comment and its tags; AlreadyExistsError if the id is taken. */
  create(comment: NewComment): Promise<Comment>;
  get(id: string): Promise<Comment | undefined>;
  /** Removes the comment with its tags and votes; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Comments on one item the reader may see, newest first. */
  listForItem(item: CommunityItem, options: { limit: number; cursor?: string } & VisibleTo): Promise<Page<Comment>>;
  /** All comments the reader may see, newest first; with `tag`, only those carrying it. */
  listLatest(options: { limit: number; cursor?: string; tag?: string } & VisibleTo): Promise<Page<Comment>>;
  /**
   * Records `userId`'s verdict on the comment, replacing their earlier one, and returns the
   * comment's counts afterwards, all in one transaction; undefined when the comment does not exist.
   */
  vote(commentId: string, userId: string, verdict: CommentVerdict, at: number): Promise<CommentVotes | undefined>;
}

export interface VoteRepository {
  /**
   * In one transaction: stores the vote and adds it to the item's totals and reputation (a file's
   * on its files row, other items' in vote_totals). A second vote of one user on one item is
   * AlreadyExistsError, decided by a unique constraint; a file not recorded is NotFoundError.
   * A private vote (visibility not `*`) moves no totals: privateTotals adds it up for its scope.
   */
  cast(vote: NewVote): Promise<Vote>;
  get(id: string): Promise<Vote | undefined>;
  /** Votes on one item the reader may see, newest first. */
  listForItem(item: CommunityItem, options: { limit: number; cursor?: string } & VisibleTo): Promise<Page<Vote>>;
  /** The item's public totals; zeros for an item nobody voted on (or a file not recorded). */
  totals(item: CommunityItem): Promise<VoteTotals>;
  /** What the item's private votes under any of `scopes` add to its public totals. */
  privateTotals(item: CommunityItem, scopes: readonly string[]): Promise<VoteTotals>;
}
