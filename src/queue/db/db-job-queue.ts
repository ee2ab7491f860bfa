/**
 * The persistent JobQueue over the jobs table of the metadata database (SQLite or PostgreSQL).
 * Claims are single atomic statements, so any number of processes and callers may share it.
 */
import { PostgresAdapter, SqliteAdapter, sql, type Kysely } from 'kysely';
import { randomHex } from '../../core/ids.js';
import { affectedRows } from '../../store/sql/codec.js';
import type { Database, SqlDialect } from '../../store/sql/schema.js';
import { priorityRank, type ClaimOptions, type EnqueueOptions, type Job, type JobCounts, type JobQueue } from '../queue.js';

export interface DbJobQueueOptions {
  /** Milliseconds since the epoch; injectable so tests can expire leases without sleeping. */
  now?: () => number;
  /** Detected from the Kysely instance when absent. */
  dialect?: SqlDialect;
}

const MAX_ERROR_CHARS = 4000;

function detectDialect(db: Kysely<Database>): SqlDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error('DbJobQueue supports SQLite and PostgreSQL only');
}

export class DbJobQueue implements JobQueue {
  private readonly now: () => number;
  private readonly dialect: SqlDialect;
  private readonly listeners = new Set<() => void>();
  /** Orders jobs enqueued here within one millisecond; created_at alone would tie. */
  private sequence = 0;

  constructor(
    private readonly db: Kysely<Database>,
    options: DbJobQueueOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.dialect = options.dialect ?? detectDialect(db);
  }

  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    const now = this.now();
    const id = this.newId(now);
    await this.db
      .insertInto('jobs')
      .values({
        id,
        kind,
        payload: JSON.stringify(payload ?? null),
        status: 'pending',
        attempts: 0,
        lease_owner: null,
        lease_until: null,
        run_after: now,
        last_error: null,
        created_at: now,
        finished_at: null,
        priority: priorityRank(options.priority),
      })
      .execute();
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a listener only wakes workers early; its failure must not fail the enqueue
      }
    }
    return id;
  }

  async claim(workerId: string, leaseMs: number, options: ClaimOptions = {}): Promise<Job | undefined> {
    const skip = options.skipKinds ?? [];
    const now = this.now();
    const next = this.db
      .selectFrom('jobs')
      .select('id')
      // Same literal as the partial index jobs_runnable_idx, so the planner can use it.
      .where(sql<boolean>`status in ('pending', 'running')`)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('run_after', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)]),
        ]),
      )
      .$if(skip.length > 0, (qb) => qb.where('kind', 'not in', skip))
      .orderBy('priority')
      .orderBy('created_at')
      .orderBy('id')
      .limit(1)
      // PostgreSQL: concurrent claimers skip a row another is taking instead of queueing behind it.
      // SQLite: the one UPDATE statement holds the write lock from subquery to update.
      .$if(this.dialect === 'postgres', (qb) => qb.forUpdate().skipLocked());
    const row = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        attempts: eb('attempts', '+', 1),
        lease_owner: workerId,
        lease_until: now + leaseMs,
      }))
      .where('id', '=', next)
      .returning(['id', 'kind', 'payload', 'attempts'])
      .executeTakeFirst();
    return row && { id: row.id, kind: row.kind, payload: JSON.parse(row.payload) as unknown, attempts: row.attempts };
  }

  async extend(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    const result = await this.held(jobId, workerId)
      .set({ lease_until: this.now() + leaseMs })
      .executeTakeFirst();
    return affectedRows(result) > 0;
  }

  async complete(jobId: string, workerId: string): Promise<void> {
    await this.held(jobId, workerId).set({ status: 'done', lease_until: null, finished_at: this.now() }).execute();
  }

  async fail(jobId: string, workerId: string, error: string, retryInMs: number | null): Promise<void> {
    const lastError = error.slice(0, MAX_ERROR_CHARS);
    const update =
      retryInMs === null
        ? { status: 'failed' as const, lease_until: null, last_error: lastError, finished_at: this.now() }
        : {
            status: 'pending' as const,
            lease_owner: null,
            lease_until: null,
            run_after: this.now() + retryInMs,
            last_error: lastError,
          };
    await this.held(jobId, workerId).set(update).execute();
  }

  async counts(): Promise<JobCounts> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const counts: JobCounts = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  onEnqueued(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** The database belongs to the store, which closes it; the queue only lets go of its listeners. */
  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** An update limited to a job this worker holds: a worker whose lease lapsed and was re-claimed changes nothing. */
  private held(jobId: string, workerId: string) {
    return this.db
      .updateTable('jobs')
      .where('id', '=', jobId)
      .where('lease_owner', '=', workerId)
      .where('status', '=', 'running');
  }

  /** Sortable: claim order among jobs created in the same millisecond follows enqueue order here. */
  private newId(now: number): string {
    this.sequence = (this.sequence + 1) % 36 ** 4;
    return `job_${now.toString(36).padStart(9, '0')}${this.sequence.toString(36).padStart(4, '0')}${randomHex(4)}`;
  }
}
