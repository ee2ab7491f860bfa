/**
 * The JobQueue on Redis through BullMQ, for scale-out: one BullMQ queue per job kind and priority
 * (`<kind>.<priority>`), each a plain FIFO. A claim is BullMQ's moveToActive with the worker id as
 * the lock token; the lease is BullMQ's lock (extendLock), and a job whose lock lapsed is put back
 * by BullMQ's stalled-job check, which every open queue runs every `stalledCheckMs`.
 *
 * Why a queue per kind and priority rather than BullMQ's own priorities: a claim can then skip a
 * kind (per-kind concurrency limits) and take interactive work of any kind before bulk work of
 * any kind, by trying the queues in that order; each stays first-in first-out.
 *
 * Leases follow Redis's clock, not an injected one: the contract runs with real time here.
 */
import { Queue, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { JOB_PRIORITIES, type ClaimOptions, type EnqueueOptions, type Job, type JobCounts, type JobPriority, type JobQueue } from '../queue.js';

export interface BullmqJobQueueOptions {
  /** Key prefix in Redis (default `assay`); instances sharing it share the queue. */
  prefix?: string;
  /** How often expired leases are looked for; a dead worker's job is claimable at most about this long after its lease ends. */
  stalledCheckMs?: number;
  /** Finished jobs kept for `counts()` and inspection, per queue; older ones are removed. */
  keepFinished?: number;
}

interface JobData {
  payload: unknown;
}

interface Lane {
  queue: Queue<JobData>;
  /** Never run: only its getNextJob (claims) and stalled check are used. */
  worker: Worker<JobData>;
}

/** BullMQ's codes for "this worker does not hold that job" (finished-errors.js): missing job, missing lock, wrong state, lock mismatch. */
const NOT_HELD = new Set([-1, -2, -3, -6]);
/** Queue names become Redis keys and job ids carry them: no separators. */
const KIND = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_ERROR_CHARS = 4000;

export class BullmqJobQueue implements JobQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly announced = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly prefix: string;
  private readonly stalledCheckMs: number;
  private readonly keepFinished: number;
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    options: BullmqJobQueueOptions,
  ) {
    this.prefix = options.prefix ?? 'assay';
    this.stalledCheckMs = options.stalledCheckMs ?? 5_000;
    this.keepFinished = options.keepFinished ?? 10_000;
  }

  /** Connects to `url` (redis://...) and checks that Redis answers. */
  static async open(url: string, options: BullmqJobQueueOptions = {}): Promise<BullmqJobQueue> {
    // BullMQ requires maxRetriesPerRequest null: its blocking commands must not be cut short.
    const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
    await redis.connect();
    return new BullmqJobQueue(redis, options);
  }

  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
    if (!KIND.test(kind)) throw new Error(`Job kind ${JSON.stringify(kind)} cannot be a BullMQ queue name`);
    const name = laneName(kind, options.priority ?? 'interactive');
    const lane = this.lane(name);
    if (!this.announced.has(name)) {
      // Claimers in other processes learn which queues exist from this set.
      await this.redis.sadd(this.lanesKey(), name);
      this.announced.add(name);
    }
    const job = await lane.queue.add(kind, { payload: payload ?? null }, {
      removeOnComplete: { count: this.keepFinished },
      removeOnFail: { count: this.keepFinished },
    });
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a listener only wakes workers early; its failure must not fail the enqueue
      }
    }
    return `${name}:${job.id}`;
  }

  async claim(workerId: string, leaseMs: number, options: ClaimOptions = {}): Promise<Job | undefined> {
    const skip = new Set(options.skipKinds ?? []);
    for (const name of await this.claimOrder()) {
      if (skip.has(kindOf(name))) continue;
      const lane = this.lane(name);
      const job = await lane.worker.getNextJob(workerId, { block: false });
      if (!job) continue;
      // The lock was taken for the worker's default duration; make it this claim's lease.
      await job.extendLock(workerId, leaseMs);
      return { id: `${name}:${job.id}`, kind: job.name, payload: job.data.payload, attempts: job.attemptsStarted };
    }
    return undefined;
  }

  async extend(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    const job = await this.find(jobId);
    if (!job) return false;
    return (await job.extendLock(workerId, leaseMs)) > 0;
  }

  async complete(jobId: string, workerId: string): Promise<void> {
    const job = await this.find(jobId);
    await notHeldIsNothing(job?.moveToCompleted(null, workerId, false));
  }

  async fail(jobId: string, workerId: string, error: string, retryInMs: number | null): Promise<void> {
    const job = await this.find(jobId);
    if (!job) return;
    const message = error.slice(0, MAX_ERROR_CHARS);
    if (retryInMs === null) {
      // The job has no BullMQ attempts of its own (the runner's policy decides), so this fails it for good.
      await notHeldIsNothing(job.moveToFailed(new Error(message), workerId, false));
      return;
    }
    await notHeldIsNothing(job.moveToDelayed(Date.now() + retryInMs, workerId));
  }

  async counts(): Promise<JobCounts> {
    const counts: JobCounts = { pending: 0, running: 0, done: 0, failed: 0 };
    for (const name of await this.knownLanes()) {
      const c = await this.lane(name).queue.getJobCounts('wait', 'delayed', 'prioritized', 'active', 'completed', 'failed');
      counts.pending += (c.wait ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
      counts.running += c.active ?? 0;
      counts.done += c.completed ?? 0;
      counts.failed += c.failed ?? 0;
    }
    return counts;
  }

  onEnqueued(listener: () => void): void {
    this.listeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    // force: a worker never run has no jobs of its own to wait for; their leases lapse for others.
    await Promise.allSettled([...this.lanes.values()].flatMap((lane) => [lane.worker.close(true), lane.queue.close()]));
    this.lanes.clear();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Interactive queues of every kind before bulk ones; kinds in a rotating order, so none starves another of its priority. */
  private rotation = 0;
  private async claimOrder(): Promise<string[]> {
    const names = await this.knownLanes();
    this.rotation += 1;
    return JOB_PRIORITIES.flatMap((priority) => {
      const same = names.filter((n) => priorityOf(n) === priority).sort();
      const start = same.length > 0 ? this.rotation % same.length : 0;
      return [...same.slice(start), ...same.slice(0, start)];
    });
  }

  private async knownLanes(): Promise<string[]> {
    const names = await this.redis.smembers(this.lanesKey());
    return names.filter((n) => KIND.test(kindOf(n)) && JOB_PRIORITIES.includes(priorityOf(n)));
  }

  private lanesKey(): string {
    return `${this.prefix}:assay-lanes`;
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (lane) return lane;
    if (this.closed) throw new Error('The job queue is closed');
    const connection = this.redis;
    const queue = new Queue<JobData>(name, { connection, prefix: this.prefix });
    const worker = new Worker<JobData>(name, null, {
      connection,
      prefix: this.prefix,
      autorun: false,
      stalledInterval: this.stalledCheckMs,
      // Give-up is the job runner's policy (attempts are counted on claim), never BullMQ's.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    });
    // Connection trouble is reported by the calls that fail; the stalled checker retries by itself.
    queue.on('error', () => undefined);
    worker.on('error', () => undefined);
    void worker.startStalledCheckTimer();
    lane = { queue, worker };
    this.lanes.set(name, lane);
    return lane;
  }

  private async find(jobId: string): Promise<BullJob<JobData> | undefined> {
    const cut = jobId.lastIndexOf(':');
    const name = jobId.slice(0, cut);
    if (cut < 0 || !KIND.test(kindOf(name)) || !JOB_PRIORITIES.includes(priorityOf(name))) return undefined;
    return (await this.lane(name).queue.getJob(jobId.slice(cut + 1))) ?? undefined;
  }
}

function laneName(kind: string, priority: JobPriority): string {
  return `${kind}.${priority}`;
}

function kindOf(lane: string): string {
  return lane.slice(0, lane.lastIndexOf('.'));
}

function priorityOf(lane: string): JobPriority {
  return lane.slice(lane.lastIndexOf('.') + 1) as JobPriority;
}

/** A late call from a worker that lost the job (lease lapsed, re-claimed, finished) changes nothing, as in the port. */
async function notHeldIsNothing(operation: Promise<unknown> | undefined): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if (NOT_HELD.has((error as { code?: unknown }).code as number)) return;
    throw error;
  }
}
