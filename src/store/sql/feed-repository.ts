/** Threat feeds in SQL: whole-feed replacement streamed in batches under a new generation, lookups by URL id and by host. */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { FeedEntry, FeedInfo } from '../../core/model/feed.js';
import type { FeedRepository } from '../ports/feed-repository.js';
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
   * Batches are written as they arrive, each in its own short statement, under a fresh generation
   * key, so the feed is never whole in memory and the store stays writable during a long import
   * (on SQLite one long transaction held the only write lock for its whole length: 12 s for
   * 200,000 URLhaus rows). One short transaction then points the feed at the new generation:
   * readers see the old set until that moment, then the new one. The old generation is deleted
   * afterwards; one left behind by a crash is deleted by the next import of the feed.
   */
  async replace(info: Omit<FeedInfo, 'entries'>, entries: AsyncIterable<FeedEntry[]>): Promise<number> {
    if (info.name.includes('#')) throw new Error(`feed name "${info.name}" may not contain #, which separates it from its generation`);
    const key = `${info.name}#${info.importedAt}-${randomBytes(4).toString('hex')}`;
    try {
      for await (const chunk of entries) {
        const rows = chunk.map((e) => ({ feed: key, url_id: e.urlId, host: e.host, threat: e.threat, added_at: e.addedAt }));
        for (const batch of insertBatches(rows, 5)) {
          // DO NOTHING collapses duplicates (the first listing wins), within a batch or across them.
          await this.db.insertInto('feed_entries').values(batch).onConflict((oc) => oc.doNothing()).execute();
        }
      }
    } catch (error) {
      await this.db.deleteFrom('feed_entries').where('feed', '=', key).execute();
      throw error;
    }
    const stored = await this.db.transaction().execute(async (trx) => {
      const { n } = await trx
        .selectFrom('feed_entries')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('feed', '=', key)
        .executeTakeFirstOrThrow();
      const entriesStored = Number(n);
      await trx
        .insertInto('feeds')
        .values({
          name: info.name,
          format: info.format,
          entries: entriesStored,
          imported_at: info.importedAt,
          // Read now, after the entries: an importer may only know the feed's date at the end.
          feed_date: info.feedDate,
          source: info.source,
          entries_key: key,
        })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({
            format: eb.ref('excluded.format'),
            entries: eb.ref('excluded.entries'),
            imported_at: eb.ref('excluded.imported_at'),
            feed_date: eb.ref('excluded.feed_date'),
            source: eb.ref('excluded.source'),
            entries_key: eb.ref('excluded.entries_key'),
          })),
        )
        .execute();
      return entriesStored;
    });
    // Every other generation of this feed: the one just replaced, and any a crash left behind. An
    // exact prefix comparison (substr counts characters in both dialects), not LIKE, whose
    // wildcards and escaping differ between them and would match other feeds' names.
    const prefix = `${info.name}#`;
    await this.db
      .deleteFrom('feed_entries')
      .where((eb) => eb.or([eb('feed', '=', info.name), eb(sql<string>`substr(feed, 1, ${Array.from(prefix).length})`, '=', prefix)]))
      .where('feed', '<>', key)
      .execute();
    return stored;
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
    // Only each feed's current generation counts (the join), named by the feed.
    const rows = await this.db
      .selectFrom('feed_entries')
      .innerJoin('feeds', 'feeds.entries_key', 'feed_entries.feed')
      .select(['feeds.name as feed', 'feed_entries.url_id', 'feed_entries.host', 'feed_entries.threat', 'feed_entries.added_at'])
      .where('feed_entries.url_id', '=', urlId)
      .orderBy('feeds.name')
      .orderBy('feed_entries.host')
      .execute();
    // One entry per feed: the key is (feed, url_id, host) and a URL id fixes its host.
    return rows.map((row) => ({ feed: row.feed, entry: toFeedEntry(row) }));
  }

  async findHost(host: string): Promise<Array<{ feed: string; entry: FeedEntry; count: number }>> {
    // Window functions (both dialects have them) pick each feed's first entry and count the rest
    // in one pass over the (host, feed) index. The host-only entry, if any, comes first: its
    // url_id '' sorts before every URL id.
    const ranked = this.db
      .selectFrom('feed_entries')
      .innerJoin('feeds', 'feeds.entries_key', 'feed_entries.feed')
      .select(['feeds.name as feed', 'feed_entries.url_id', 'feed_entries.host', 'feed_entries.threat', 'feed_entries.added_at'])
      .select((eb) => [
        sql<number>`row_number() over (partition by feed_entries.feed order by feed_entries.url_id)`.as('position'),
        eb.fn.countAll<number | string>().over((ob) => ob.partitionBy('feed_entries.feed')).as('n'),
      ])
      .where('feed_entries.host', '=', host)
      .as('ranked');
    const rows = await this.db.selectFrom(ranked).selectAll().where('position', '=', 1).orderBy('feed').execute();
    return rows.map((row) => ({ feed: row.feed, entry: toFeedEntry(row), count: Number(row.n) }));
  }
}

