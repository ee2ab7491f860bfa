/** The relationship graph between files, URLs, domains and IPs. */

/** Object types a relation can point between (VT type names). */
export type RelatedType = 'file' | 'url' | 'domain' | 'ip_address';

/** One edge of the relationship graph: `from` has `name` pointing at `to`. */
export interface RelationEdge {
  fromType: RelatedType;
  fromId: string;
  name: string;
  toType: RelatedType;
  toId: string;
  /** Unix seconds. */
  firstSeen: number;
  lastSeen: number;
  /** What recorded it, e.g. `url-fetch`, `dns`. */
  source: string;
}
