/**
 * In-process workers: claim jobs from the queue, keep their leases alive while they run, and
 * retry with backoff. A job whose process died is claimed again by anyone once its lease expires.
 */
import type { Logger } from 'pino';
import { randomHex } from '../core/ids.js';
import type { Job, JobQueue } from '../queue/queue.js';

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

export interface WorkerPoolOptions {
  queue: JobQueue;
  handlers: Record<string, JobHandler>;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  maxAttempts: number;
  logger: Logger;
}

export class WorkerPool {
  readonly workerId = `w-${process.pid}-${randomHex(3)}`;
  private running = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private filling = false;

  constructor(private readonly options: WorkerPoolOptions) {}

  start(): void {
    if (!this.stopped || this.options.concurrency === 0) return;
    this.stopped = false;
    this.options.queue.onEnqueued(() => void this.fill());
    this.schedule();
    void this.fill();
  }

  /** Stops claiming, aborts running jobs and waits for them; their leases lapse for others to retry. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort(new Error('worker pool stopping'));
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.fill().finally(() => this.schedule());
    }, this.options.pollMs);
    this.timer.unref();
  }

  /** Claims jobs until every slot is busy or the queue is empty. */
  private async fill(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      while (!this.stopped && this.running < this.options.concurrency) {
        let job: Job | undefined;
        try {
          job = await this.options.queue.claim(this.workerId, this.options.leaseMs);
        } catch (err) {
          this.options.logger.error({ err }, 'could not claim a job');
          return;
        }
        if (!job) return;
        this.running += 1;
        const run = this.execute(job).finally(() => {
          this.running -= 1;
          this.inFlight.delete(run);
          void this.fill();
        });
        this.inFlight.add(run);
      }
    } finally {
      this.filling = false;
    }
  }

  private async execute(job: Job): Promise<void> {
    const { queue, leaseMs, logger } = this.options;
    const handler = this.options.handlers[job.kind];
    const heartbeat = setInterval(() => {
      queue.extend(job.id, this.workerId, leaseMs).catch((err) => logger.warn({ err, job: job.id }, 'lease extension failed'));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job, this.abort.signal);
      await queue.complete(job.id, this.workerId);
    } catch (err) {
      if (this.stopped) return; // shutting down: leave the lease to lapse so the job is retried
      const finalAttempt = job.attempts >= this.options.maxAttempts;
      logger.error({ err, job: job.id, kind: job.kind, attempts: job.attempts, final: finalAttempt }, 'job failed');
      const retryInMs = finalAttempt ? null : Math.min(60_000, 500 * 2 ** job.attempts);
      await queue
        .fail(job.id, this.workerId, err instanceof Error ? err.message : String(err), retryInMs)
        .catch((e) => logger.error({ err: e, job: job.id }, 'could not record job failure'));
    } finally {
      clearInterval(heartbeat);
    }
  }
}
