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

export interface JobQueue {
  enqueue(kind: string, payload: unknown): Promise<string>;
  /** Takes the oldest runnable job (pending, or running with an expired lease) for `leaseMs`. */
  claim(workerId: string, leaseMs: number): Promise<Job | undefined>;
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
