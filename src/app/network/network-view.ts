/** A domain or IP address as the API renders it: the stored object, its vote totals and popularity. */
import type { NetworkObjectRecord, VoteTotals } from '../../store/ports.js';

export interface NetworkView {
  object: NetworkObjectRecord;
  votes: VoteTotals;
  /** VT's popularity_ranks (domains): {source: {rank, timestamp}}. */
  popularityRanks: Record<string, { rank: number; timestamp: number }>;
}
