/**
 * The one retry and give-up policy for every job kind: how often a failing job is tried, how long
 * it waits between tries, and that after the last try the kind's `giveUp` runs (each handler says
 * what giving up means for its analysis: today, completing it with a `failure` entry per engine).
 */

export interface GiveUpPolicy {
  /** A job that failed on this attempt (counting from 1) is given up. */
  maxAttempts: number;
  /** How long to wait before the next attempt, after attempt number `attempts` failed. */
  retryDelayMs(attempts: number): number;
}

/** What to do about a job whose attempt failed. */
export type FailureDecision = { action: 'retry'; inMs: number } | { action: 'give-up' };

/** Five attempts, waiting 1 s, 2 s, 4 s, 8 s between them (capped at a minute). */
export const defaultGiveUpPolicy: GiveUpPolicy = {
  maxAttempts: 5,
  retryDelayMs: (attempts) => Math.min(60_000, 500 * 2 ** attempts),
};

export function decide(policy: GiveUpPolicy, attempts: number): FailureDecision {
  return attempts >= policy.maxAttempts ? { action: 'give-up' } : { action: 'retry', inMs: policy.retryDelayMs(attempts) };
}
