/**
 * JobQueue port: persistent jobs with leases. A job whose worker died (lease expired) is claimed
 * again; completion is recorded by the use case, so a job that runs twice cannot complete twice.
 */

export interface Job<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  /** How many times it has been claimed, this claim included. */
  attempts: number;
}

export interface JobCounts {
  pending: number;
  running: number;
  done: number;
  failed: number;
}

/**
 * Which runnable jobs go first: `interactive` (a user waits: uploads, URL scans) before `bulk`
 * (imports, rescans, retrohunts). Oldest first within a priority.
 */
export type JobPriority = 'interactive' | 'bulk';

/** The priorities in claim order; adapters store a job's index here (0 first). */
export const JOB_PRIORITIES: readonly JobPriority[] = ['interactive', 'bulk'];

export interface EnqueueOptions {
  /** Default `interactive`. */
  priority?: JobPriority;
}

export interface ClaimOptions {
  /** Kinds not to hand out now (the worker is at its limit for them); the others are claimed as usual. */
  skipKinds?: readonly string[];
}

export interface JobQueue {
  enqueue(kind: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  /**
   * Takes the runnable job (pending, or running with an expired lease) of the first priority,
   * oldest first, for `leaseMs`.
   */
  claim(workerId: string, leaseMs: number, options?: ClaimOptions): Promise<Job | undefined>;
  /** Extends the lease; false when the job is no longer held by this worker. */
  extend(jobId: string, workerId: string, leaseMs: number): Promise<boolean>;
  complete(jobId: string, workerId: string): Promise<void>;
  /** Records a failure: retried after `retryInMs`, or failed for good when null. */
  fail(jobId: string, workerId: string, error: string, retryInMs: number | null): Promise<void>;
  counts(): Promise<JobCounts>;
  /** Called whenever a job is enqueued through this instance (wakes local workers early). */
  onEnqueued(listener: () => void): void;
  close(): Promise<void>;
}

/** The stored rank of a priority (0 first). */
export function priorityRank(priority: JobPriority | undefined): number {
  return Math.max(0, JOB_PRIORITIES.indexOf(priority ?? 'interactive'));
}
