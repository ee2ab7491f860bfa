/** Storage port for the relationship graph's edges. */
import type { Page } from '../../core/model/page.js';
import type { RelatedType, RelationEdge } from '../../core/model/relation.js';

export interface RelationRepository {
  /** Inserts edges, or moves last_seen forward on ones already there (first_seen and source stay). */
  upsert(edges: ReadonlyArray<Omit<RelationEdge, 'firstSeen' | 'lastSeen'> & { at: number }>): Promise<void>;
  /** Edges from one object under one name, most recently seen first. */
  list(from: { type: RelatedType; id: string }, name: string, options: { limit: number; cursor?: string }): Promise<Page<RelationEdge>>;
}
