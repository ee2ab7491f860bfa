/**
 * Runs jobs in this process: claims them from the queue, keeps their leases alive while they run,
 * and applies the give-up policy when one fails. A job whose process died is claimed again by
 * anyone once its lease expires.
 */
import type { Logger } from 'pino';
import { randomHex } from '../core/ids.js';
import type { Job, JobQueue } from '../queue/queue.js';
import { decide, defaultGiveUpPolicy, type GiveUpPolicy } from './give-up-policy.js';
import type { JobKind, JobPayloads } from './job-kinds.js';

/** How one job kind is run, and what giving up on it means. */
export interface JobHandler<P = unknown> {
  /** Does the work; a throw is retried as the give-up policy says. */
  run(payload: P, signal: AbortSignal, job: Job<P>): Promise<void>;
  /**
   * Called once, after the last attempt failed, so that nobody waits forever for the job's result
   * (e.g. the analysis completes with failures). A throw here leaves the job failed all the same.
   */
  giveUp(payload: P, error: unknown, job: Job<P>): Promise<void>;
}

/** One handler for every job kind. */
export type JobHandlers = { [K in JobKind]: JobHandler<JobPayloads[K]> };

export interface JobRunnerOptions {
  queue: JobQueue;
  handlers: JobHandlers;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /** Default: `defaultGiveUpPolicy`. */
  policy?: GiveUpPolicy;
  /**
   * At most this many jobs of a kind at once in this runner (within `concurrency`), e.g. so that
   * URL fetches or retrohunts cannot take every slot; kinds not named share `concurrency`.
   */
  kindLimits?: Readonly<Record<string, number>>;
  logger: Logger;
}

export class JobRunner {
  readonly workerId = `w-${process.pid}-${randomHex(3)}`;
  private running = 0;
  private readonly runningByKind = new Map<string, number>();
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private filling = false;
  private readonly policy: GiveUpPolicy;

  constructor(private readonly options: JobRunnerOptions) {
    this.policy = options.policy ?? defaultGiveUpPolicy;
  }

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
    this.abort.abort(new Error('job runner stopping'));
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
          job = await this.options.queue.claim(this.workerId, this.options.leaseMs, { skipKinds: this.kindsAtLimit() });
        } catch (err) {
          this.options.logger.error({ err }, 'could not claim a job');
          return;
        }
        if (!job) return;
        this.running += 1;
        const kind = job.kind;
        this.runningByKind.set(kind, (this.runningByKind.get(kind) ?? 0) + 1);
        const run = this.execute(job).finally(() => {
          this.running -= 1;
          this.runningByKind.set(kind, (this.runningByKind.get(kind) ?? 1) - 1);
          this.inFlight.delete(run);
          void this.fill();
        });
        this.inFlight.add(run);
      }
    } finally {
      this.filling = false;
    }
  }

  private kindsAtLimit(): string[] {
    const limits = this.options.kindLimits ?? {};
    return Object.keys(limits).filter((kind) => (this.runningByKind.get(kind) ?? 0) >= limits[kind]!);
  }

  private async execute(job: Job): Promise<void> {
    const { queue, leaseMs, logger } = this.options;
    const handler = (this.options.handlers as Record<string, JobHandler | undefined>)[job.kind];
    const heartbeat = setInterval(() => {
      queue.extend(job.id, this.workerId, leaseMs).catch((err) => logger.warn({ err, job: job.id }, 'lease extension failed'));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      // Claimed more often than the policy allows, without a recorded failure: its workers died
      // running it (a sample that crashes or exhausts the process). Give it up rather than let it
      // take down every worker in turn.
      if (job.attempts > this.policy.maxAttempts) throw new Error(`the job was claimed ${job.attempts} times; its workers stopped without finishing it`);
      await handler.run(job.payload, this.abort.signal, job);
      await queue.complete(job.id, this.workerId);
    } catch (err) {
      if (this.stopped) return; // shutting down: leave the lease to lapse so the job is retried
      await this.failed(job, handler, err);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Records a failed attempt: retried later, or given up (the kind's giveUp, then failed for good). */
  private async failed(job: Job, handler: JobHandler | undefined, err: unknown): Promise<void> {
    const { queue, logger } = this.options;
    const message = err instanceof Error ? err.message : String(err);
    const decision = decide(this.policy, job.attempts);
    if (decision.action === 'retry') {
      logger.error({ err, job: job.id, kind: job.kind, attempts: job.attempts, retryInMs: decision.inMs }, 'job failed; retrying later');
      await queue.fail(job.id, this.workerId, message, decision.inMs).catch((e) => logger.error({ err: e, job: job.id }, 'could not record job failure'));
      return;
    }
    logger.error({ err, job: job.id, kind: job.kind, attempts: job.attempts, payload: job.payload }, 'job failed for the last time; giving up');
    try {
      await handler?.giveUp(job.payload, err, job);
    } catch (giveUpError) {
      logger.error({ err: giveUpError, job: job.id, kind: job.kind }, 'giving up on a job failed');
    }
    await queue.fail(job.id, this.workerId, message, null).catch((e) => logger.error({ err: e, job: job.id }, 'could not record job failure'));
  }
}
