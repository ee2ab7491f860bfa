/** Storage port for imported hash lists: replacing a list's entries and looking a file's hashes up in them. */
import type { HashListEntry, HashListInfo, HashListMatch } from '../../core/model/hash-list.js';

export interface HashListRepository {
  /**
   * Replaces the list's entries with `entries` (streamed in batches; readers see the old set or the
   * new one, never a mix) and records its info; returns the count stored (duplicates collapse).
   */
  replace(info: Omit<HashListInfo, 'entries'>, entries: AsyncIterable<HashListEntry[]>): Promise<number>;
  list(): Promise<HashListInfo[]>;
  /** Every list entry naming one of `hashes` (a file's md5, sha1 and sha256), by list name. */
  find(hashes: readonly string[]): Promise<HashListMatch[]>;
}
