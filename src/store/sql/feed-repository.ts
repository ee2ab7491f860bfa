/** Threat feeds in SQL: whole-feed replacement streamed in batches inside one transaction, lookups by URL id and by host. */
import { sql, type Kysely } from 'kysely';
import type { FeedEntry, FeedInfo, FeedRepository } from '../ports.js';
import { insertBatches } from './batches.js';
import type { Database, FeedEntriesTable } from './schema.js';

const toFeedEntry = (row: Omit<FeedEntriesTable, 'feed'>): FeedEntry => ({
  urlId: row.url_id,
  host: row.host,
  threat: row.threat,
  addedAt: row.added_at,
});

export class SqlFeedRepository implements FeedRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Batches are written as they arrive, so the feed is never whole in memory; the transaction
   * makes readers (PostgreSQL snapshots, SQLite WAL readers) see the old set until it commits.
   * On SQLite this holds the only connection, so `entries` must not wait on this store.
   */
  replace(info: Omit<FeedInfo, 'entries'>, entries: AsyncIterable<FeedEntry[]>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('feed_entries').where('feed', '=', info.name).execute();
      for await (const chunk of entries) {
        const rows = chunk.map((e) => ({ feed: info.name, url_id: e.urlId, host: e.host, threat: e.threat, added_at: e.addedAt }));
        for (const batch of insertBatches(rows, 5)) {
          // DO NOTHING collapses duplicates (the first listing wins), within a batch or across them.
          await trx.insertInto('feed_entries').values(batch).onConflict((oc) => oc.doNothing()).execute();
        }
      }
      const { n } = await trx
        .selectFrom('feed_entries')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('feed', '=', info.name)
        .executeTakeFirstOrThrow();
      const entriesStored = Number(n);
      await trx
        .insertInto('feeds')
        .values({
          name: info.name,
          format: info.format,
          entries: entriesStored,
          imported_at: info.importedAt,
          feed_date: info.feedDate,
          source: info.source,
        })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({
            format: eb.ref('excluded.format'),
            entries: eb.ref('excluded.entries'),
            imported_at: eb.ref('excluded.imported_at'),
            feed_date: eb.ref('excluded.feed_date'),
            source: eb.ref('excluded.source'),
          })),
        )
        .execute();
      return entriesStored;
    });
  }

  async list(): Promise<FeedInfo[]> {
    const rows = await this.db.selectFrom('feeds').selectAll().orderBy('name').execute();
    return rows.map((row) => ({
      name: row.name,
      format: row.format,
      entries: row.entries,
      importedAt: row.imported_at,
      feedDate: row.feed_date,
      source: row.source,
    }));
  }

  async findUrl(urlId: string): Promise<Array<{ feed: string; entry: FeedEntry }>> {
    // '' marks host-only entries; it is not a URL id to look up.
    if (urlId === '') return [];
    const rows = await this.db.selectFrom('feed_entries').selectAll().where('url_id', '=', urlId).orderBy('feed').orderBy('host').execute();
    // One entry per feed: the key is (feed, url_id, host) and a URL id fixes its host.
    return rows.map((row) => ({ feed: row.feed, entry: toFeedEntry(row) }));
  }

  async findHost(host: string): Promise<Array<{ feed: string; entry: FeedEntry; count: number }>> {
    // Window functions (both dialects have them) pick each feed's first entry and count the rest
    // in one pass over the (host, feed) index. The host-only entry, if any, comes first: its
    // url_id '' sorts before every URL id.
    const ranked = this.db
      .selectFrom('feed_entries')
      .select(['feed', 'url_id', 'host', 'threat', 'added_at'])
      .select((eb) => [
        sql<number>`row_number() over (partition by feed order by url_id)`.as('position'),
        eb.fn.countAll<number | string>().over((ob) => ob.partitionBy('feed')).as('n'),
      ])
      .where('host', '=', host)
      .as('ranked');
    const rows = await this.db.selectFrom(ranked).selectAll().where('position', '=', 1).orderBy('feed').execute();
    return rows.map((row) => ({ feed: row.feed, entry: toFeedEntry(row), count: Number(row.n) }));
  }
}
