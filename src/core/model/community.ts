/** Community content: comments and their readers' votes, votes on items and the totals they add up to. */
import type { CommunityItemType } from '../community-ids.js';

/** Counts of a comment's votes by its readers. */
export interface CommentVotes {
  positive: number;
  negative: number;
  abuse: number;
}

export type CommentVerdict = keyof CommentVotes;

export interface Comment {
  /** `f-<sha256>-<8 hex>`, `u-…`, `d-…`, `i-…` (core/community-ids.ts). */
  id: string;
  itemType: CommunityItemType;
  /** Canonical id of the item: sha256, URL id, domain or IP. */
  itemId: string;
  authorId: string;
  /** Unix seconds. */
  date: number;
  /** Exactly as submitted; rendering (html) happens on the way out. */
  text: string;
  tags: string[];
  votes: CommentVotes;
  /**
   * Who may read it (core/model/visibility.ts): `*`, or the private scope through which its author
   * saw the file when writing. It stays hidden from others once the file becomes public.
   */
  visibility: string;
}

export type VoteVerdict = 'harmless' | 'malicious';

export interface Vote {
  id: string;
  itemType: CommunityItemType;
  itemId: string;
  userId: string;
  verdict: VoteVerdict;
  /** +1 (harmless) or -1 (malicious): what the vote adds to the item's reputation. */
  value: number;
  /** Unix seconds. */
  date: number;
  /** As a comment's: `*`, or the private scope it was cast under; only `*` votes move the public totals. */
  visibility: string;
}

/** An item's vote totals and the reputation they add up to. */
export interface VoteTotals {
  harmless: number;
  malicious: number;
  reputation: number;
}
