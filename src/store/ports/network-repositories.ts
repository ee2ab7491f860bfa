/** Storage ports for domains and IPs: the objects, passive-DNS resolutions and WHOIS/certificate history. */
import type { HistoryEntry, HistoryKind, NetworkObject, NetworkObjectType, Resolution } from '../../core/model/network-object.js';
import type { Page } from '../../core/model/page.js';

export interface NetworkObjectRepository {
  get(type: NetworkObjectType, id: string): Promise<NetworkObject | undefined>;
  /**
   * Creates the object if absent and merges `attributes` over its stored ones (top-level keys
   * replace), in one statement or transaction so concurrent merges of different keys are not lost.
   */
  merge(type: NetworkObjectType, id: string, attributes: Record<string, unknown>, at: number): Promise<NetworkObject>;
  /**
   * Objects of this type whose id ends with `.${suffix}` (subdomains, siblings), ordered by their
   * labels read right to left (`a.b.example.com` after `b.example.com`): the order the index keeps.
   */
  listBySuffix(type: NetworkObjectType, suffix: string, options: { limit: number; cursor?: string }): Promise<Page<NetworkObject>>;
}

export interface ResolutionRepository {
  /** Records observations: inserts new pairings, moves last_seen (and resolver) forward on known ones. */
  record(observations: ReadonlyArray<{ ipAddress: string; hostName: string; resolver: string; at: number }>): Promise<void>;
  get(id: string): Promise<Resolution | undefined>;
  /** Newest (last_seen) first. */
  listForHost(hostName: string, options: { limit: number; cursor?: string }): Promise<Page<Resolution>>;
  listForIp(ipAddress: string, options: { limit: number; cursor?: string }): Promise<Page<Resolution>>;
}

export interface HistoryRepository {
  /** Adds the content when it differs from every earlier one of the item (by id), else moves last_seen; true when added. */
  record(entry: Omit<HistoryEntry, 'firstSeen' | 'lastSeen'> & { at: number }): Promise<boolean>;
  /** Newest first (last_seen). */
  list(kind: HistoryKind, item: { type: NetworkObjectType; id: string }, options: { limit: number; cursor?: string }): Promise<Page<HistoryEntry>>;
}
