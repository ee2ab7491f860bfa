/** Hash lists in SQL: whole-list replacement streamed in batches under a new generation, lookups by hash. */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { HashListEntry, HashListInfo, HashListKind, HashListMatch } from '../../core/model/hash-list.js';
import type { HashListRepository } from '../ports/hash-list-repository.js';
import { insertBatches } from './batches.js';
import type { Database } from './schema.js';

export class SqlHashListRepository implements HashListRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** As feeds (feed-repository.ts): entries go in under a fresh generation key, then one short transaction flips the list to it. */
  async replace(info: Omit<HashListInfo, 'entries'>, entries: AsyncIterable<HashListEntry[]>): Promise<number> {
    if (info.name.includes('#')) throw new Error(`hash list name "${info.name}" may not contain #, which separates it from its generation`);
    const key = `${info.name}#${info.importedAt}-${randomBytes(4).toString('hex')}`;
    try {
      for await (const chunk of entries) {
        const rows = chunk.map((e) => ({ list: key, hash: e.hash, label: e.label }));
        for (const batch of insertBatches(rows, 3)) {
          await this.db.insertInto('hash_list_entries').values(batch).onConflict((oc) => oc.doNothing()).execute();
        }
      }
    } catch (error) {
      await this.db.deleteFrom('hash_list_entries').where('list', '=', key).execute();
      throw error;
    }
    const stored = await this.db.transaction().execute(async (trx) => {
      const { n } = await trx.selectFrom('hash_list_entries').select((eb) => eb.fn.countAll<number | string>().as('n')).where('list', '=', key).executeTakeFirstOrThrow();
      const count = Number(n);
      await trx
        .insertInto('hash_lists')
        .values({ name: info.name, kind: info.kind, format: info.format, entries: count, imported_at: info.importedAt, source: info.source, entries_key: key })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            format: eb.ref('excluded.format'),
            entries: eb.ref('excluded.entries'),
            imported_at: eb.ref('excluded.imported_at'),
            source: eb.ref('excluded.source'),
            entries_key: eb.ref('excluded.entries_key'),
          })),
        )
        .execute();
      return count;
    });
    const prefix = `${info.name}#`;
    await this.db
      .deleteFrom('hash_list_entries')
      .where(sql<string>`substr(list, 1, ${Array.from(prefix).length})`, '=', prefix)
      .where('list', '<>', key)
      .execute();
    return stored;
  }

  async list(): Promise<HashListInfo[]> {
    const rows = await this.db.selectFrom('hash_lists').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, kind: r.kind as HashListKind, format: r.format, entries: r.entries, importedAt: r.imported_at, source: r.source }));
  }

  async find(hashes: readonly string[]): Promise<HashListMatch[]> {
    const wanted = [...new Set(hashes.map((h) => h.toLowerCase()))].filter((h) => /^[0-9a-f]{32,64}$/.test(h));
    if (wanted.length === 0) return [];
    // Only each list's current generation counts (the join), named by the list.
    const rows = await this.db
      .selectFrom('hash_list_entries')
      .innerJoin('hash_lists', 'hash_lists.entries_key', 'hash_list_entries.list')
      .select(['hash_lists.name as list', 'hash_lists.kind', 'hash_list_entries.hash', 'hash_list_entries.label'])
      .where('hash_list_entries.hash', 'in', wanted)
      .orderBy('hash_lists.name')
      .execute();
    return rows.map((r) => ({ list: r.list, kind: r.kind as HashListKind, hash: r.hash, label: r.label }));
  }
}
