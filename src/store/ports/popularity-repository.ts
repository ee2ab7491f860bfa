/** Storage port for domain popularity ranks (Tranco and the like). */

export interface PopularityRepository {
  /** Replaces one source's ranks (e.g. `Tranco`) in one transaction; returns the count. */
  replace(source: string, date: number, ranks: AsyncIterable<Array<{ domain: string; rank: number }>>): Promise<number>;
  /** VT's popularity_ranks: {source: {rank, timestamp}}. */
  ranksOf(domain: string): Promise<Record<string, { rank: number; timestamp: number }>>;
}
