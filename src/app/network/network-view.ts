/** A domain or IP address as the API renders it: the stored object, its vote totals and popularity. */
import type { VoteTotals } from '../../core/model/community.js';
import type { NetworkObject } from '../../core/model/network-object.js';

export interface NetworkView {
  object: NetworkObject;
  votes: VoteTotals;
  /** VT's popularity_ranks (domains): {source: {rank, timestamp}}. */
  popularityRanks: Record<string, { rank: number; timestamp: number }>;
}
