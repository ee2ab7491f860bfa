/**
 * Starts the YARA scan workers on the shared ThreadPool (src/threads). The first worker checks the rule files and
 * works out the compile plan; the others (and any replacement) start from that plan in the
 * background. Aborting a running scan rejects at once and lets the worker finish (native code
 * cannot be interrupted) with its result discarded.
 */
import type { Logger } from 'pino';
import { ThreadPool, workerEntry } from '../../threads/thread-pool.js';
import type { CompilePlan } from './rule-files.js';
import type { ScanRequest, ScanWorkerData, WorkerMatch } from './yara-scan-worker.js';

/** Scans files with the compiled rules; `info` is the compile plan the first worker worked out. */
export type YaraScanPool = ThreadPool<ScanRequest, WorkerMatch[], CompilePlan>;

export interface YaraScanPoolOptions {
  /** Rule file texts; the plan refers to them by index. */
  texts: string[];
  size: number;
  logger: Logger;
}

/** Resolves once the first worker has compiled the rules (a broken set fails here); scans can start then. */
export function startYaraScanPool({ texts, size, logger }: YaraScanPoolOptions): Promise<YaraScanPool> {
  return ThreadPool.create<ScanRequest, WorkerMatch[], CompilePlan>({
    name: 'YARA scanner',
    entry: workerEntry(import.meta.url, 'yara-scan-worker'),
    size,
    logger,
    workerData: { texts } satisfies ScanWorkerData,
    workerDataAfterFirst: (plan) => ({ texts, plan }) satisfies ScanWorkerData,
    onAbortRunning: 'discard',
  });
}
