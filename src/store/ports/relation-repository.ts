/** Storage port for the relationship graph's edges. */
import type { Page } from '../../core/model/page.js';
import type { RelatedType, RelationEdge } from '../../core/model/relation.js';

export interface RelationRepository {
  /** Inserts edges, or moves last_seen forward on ones already there (first_seen and source stay). */
  upsert(edges: ReadonlyArray<Omit<RelationEdge, 'firstSeen' | 'lastSeen'> & { at: number }>): Promise<void>;
  /** Edges from one object under one name, most recently seen first. */
  list(from: { type: RelatedType; id: string }, name: string, options: { limit: number; cursor?: string }): Promise<Page<RelationEdge>>;
  /**
   * Edges into one object under one name from objects of `fromType`, most recently seen first: the
   * same edges read backwards (a file's itw_urls are the URLs whose downloaded_files it is).
   */
  listTo(to: { type: RelatedType; id: string }, name: string, fromType: RelatedType, options: { limit: number; cursor?: string }): Promise<Page<RelationEdge>>;
}
