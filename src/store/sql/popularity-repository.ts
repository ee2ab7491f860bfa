/** Domain popularity ranks in SQL (Tranco and the like): one source's list replaced at once, ranks of one domain across sources. */
import type { Kysely } from 'kysely';
import type { PopularityRepository } from '../ports/popularity-repository.js';
import { insertBatches } from './batches.js';
import type { Database } from './schema.js';

export class SqlPopularityRepository implements PopularityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Streams `ranks` in batches inside one transaction, as FeedRepository.replace does; a domain listed twice keeps its first rank. */
  replace(source: string, date: number, ranks: AsyncIterable<Array<{ domain: string; rank: number }>>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('popularity_ranks').where('source', '=', source).execute();
      for await (const chunk of ranks) {
        const rows = chunk.map((r) => ({ source, domain: r.domain, rank: r.rank, date }));
        for (const batch of insertBatches(rows, 4)) {
          await trx.insertInto('popularity_ranks').values(batch).onConflict((oc) => oc.doNothing()).execute();
        }
      }
      const { n } = await trx
        .selectFrom('popularity_ranks')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('source', '=', source)
        .executeTakeFirstOrThrow();
      return Number(n);
    });
  }

  async ranksOf(domain: string): Promise<Record<string, { rank: number; timestamp: number }>> {
    const rows = await this.db.selectFrom('popularity_ranks').select(['source', 'rank', 'date']).where('domain', '=', domain).orderBy('source').execute();
    return Object.fromEntries(rows.map((row) => [row.source, { rank: row.rank, timestamp: row.date }]));
  }
}
