/**
 * The worker side of a fuzz run: replays the target's regression seeds, then runs fast-check, and
 * tells the main thread which input it is on so a hang can be named (run-fuzz.ts keeps the watchdog).
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import type { FuzzTarget } from './fuzz-target.js';

export interface FuzzJob {
  module: string;
  target: string;
  seeds: Array<{ name: string; bytes: Uint8Array }>;
  /** Random runs; absent: the target's short form. */
  runs?: number;
  seed: number;
}

/** Messages to the main thread. */
export type FuzzMessage =
  | { kind: 'input'; bytes: Uint8Array; from: string }
  | { kind: 'passed'; seeds: number; runs: number }
  | { kind: 'failed'; message: string; bytes?: Uint8Array; from: string };

/** Random runs per target in `npm test` when the target does not say. */
const DEFAULT_SHORT_RUNS = 200;

const job = workerData as FuzzJob;
const post = (message: FuzzMessage): void => parentPort!.postMessage(message);
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

async function main(): Promise<void> {
  const { targets } = (await import(job.module)) as { targets: Record<string, FuzzTarget> };
  const target = targets[job.target];
  if (!target) throw new Error(`${job.module} has no target ${job.target}`);
  const ctx = await target.setup?.();
  try {
    for (const seed of job.seeds) {
      const bytes = Buffer.from(seed.bytes);
      post({ kind: 'input', bytes, from: `seed ${seed.name}` });
      try {
        await target.check(bytes, ctx);
      } catch (error) {
        post({ kind: 'failed', message: describe(error), bytes, from: `seed ${seed.name}` });
        return;
      }
    }
    const details = await fc.check(
      fc.asyncProperty(target.inputs(ctx), async (bytes) => {
        post({ kind: 'input', bytes, from: `fast-check seed ${job.seed}` });
        await target.check(bytes, ctx);
      }),
      { numRuns: job.runs ?? target.shortRuns ?? DEFAULT_SHORT_RUNS, seed: job.seed, endOnFailure: false },
    );
    if (details.failed) {
      const bytes = details.counterexample?.[0];
      post({ kind: 'failed', message: describe(details.errorInstance), bytes, from: `fast-check seed ${job.seed} path ${details.counterexamplePath}` });
      return;
    }
    post({ kind: 'passed', seeds: job.seeds.length, runs: details.numRuns });
  } finally {
    await target.teardown?.(ctx);
  }
}

main().catch((error: unknown) => post({ kind: 'failed', message: `target setup failed: ${describe(error)}`, from: 'setup' }));
