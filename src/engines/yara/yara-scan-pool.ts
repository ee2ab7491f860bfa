/**
 * A fixed set of YARA scan workers, each holding the compiled rules, fed from one FIFO queue.
 * The first worker checks the rule files and works out the compile plan; the others start from
 * that plan in the background. Aborting a queued scan drops it; aborting a running one rejects at
 * once and lets the worker finish (native code cannot be interrupted) with its result discarded.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { PluginError } from '../../core/plugin.js';
import type { CompilePlan } from './rule-files.js';
import type { ScanWorkerData, WorkerMatch, WorkerMessage } from './yara-scan-worker.js';

interface Job {
  id: number;
  path: string;
  resolve(matches: WorkerMatch[]): void;
  reject(error: unknown): void;
  /** Set once the caller has been answered (aborted); a late result is then dropped. */
  done: boolean;
  cleanup(): void;
}

interface Slot {
  worker?: Worker;
  /** The worker has compiled the rules and takes scans. */
  ready?: boolean;
  job?: Job;
}

export interface YaraScanPoolOptions {
  /** Rule file texts; the plan refers to them by index. */
  texts: string[];
  size: number;
  logger: Logger;
}

export class YaraScanPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private compiledPlan?: CompilePlan;

  private constructor(private readonly options: YaraScanPoolOptions) {
    this.slots = Array.from({ length: Math.max(1, options.size) }, () => ({}));
  }

  /** Resolves once the first worker has compiled the rules (a broken set fails here); scans can start then. */
  static async create(options: YaraScanPoolOptions): Promise<YaraScanPool> {
    const pool = new YaraScanPool(options);
    try {
      pool.compiledPlan = await pool.spawn(pool.slots[0]!);
    } catch (err) {
      await pool.close();
      throw err;
    }
    for (const slot of pool.slots.slice(1)) {
      pool.spawn(slot).catch((err: unknown) => {
        if (!pool.closed) options.logger.error({ err }, 'a YARA scan worker failed to start');
      });
    }
    return pool;
  }

  /** Which files compiled and how they were grouped, as the first worker worked it out. */
  get plan(): CompilePlan {
    return this.compiledPlan!;
  }

  scan(path: string, signal: AbortSignal): Promise<WorkerMatch[]> {
    if (this.closed) return Promise.reject(new PluginError('closed', 'YARA scanner is closed'));
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<WorkerMatch[]>((resolve, reject) => {
      const onAbort = () => {
        const queued = this.queue.indexOf(job);
        if (queued >= 0) this.queue.splice(queued, 1);
        this.finish(job, () => reject(signal.reason));
        this.notifyIfIdle();
      };
      const job: Job = { id: this.nextId++, path, resolve, reject, done: false, cleanup: () => signal.removeEventListener('abort', onAbort) };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Resolves once no scan is queued or running; used to retire a pool after a reload. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = () => new PluginError('closed', 'YARA scanner closed');
    for (const job of this.queue.splice(0)) this.finish(job, () => job.reject(closedError()));
    await Promise.all(
      this.slots.map(async (slot) => {
        const { worker, job } = slot;
        slot.worker = undefined;
        slot.ready = false;
        slot.job = undefined;
        if (job) this.finish(job, () => job.reject(closedError()));
        if (worker) await worker.terminate();
      }),
    );
    this.notifyIfIdle();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.closed || this.queue.length === 0) return;
      if (slot.job || !slot.ready) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      // Only a busy worker keeps the process alive.
      slot.worker!.ref();
      slot.worker!.postMessage({ id: job.id, path: job.path });
    }
  }

  private spawn(slot: Slot): Promise<CompilePlan> {
    const worker = createScanWorker({ texts: this.options.texts, plan: this.compiledPlan });
    slot.worker = worker;
    let ready = false;
    return new Promise<CompilePlan>((resolve, reject) => {
      let crash: Error | undefined;
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.kind === 'ready') {
          ready = true;
          slot.ready = true;
          worker.unref();
          resolve(msg.plan);
          this.dispatch();
          return;
        }
        const job = slot.job;
        if (slot.worker !== worker || !job || job.id !== msg.id) return;
        slot.job = undefined;
        worker.unref();
        if (msg.kind === 'result') this.finish(job, () => job.resolve(msg.matches));
        else this.finish(job, () => job.reject(new Error(`YARA scan failed: ${msg.message}`)));
        this.dispatch();
        this.notifyIfIdle();
      });
      // 'error' (an uncaught throw, e.g. a compile error) is always followed by 'exit'.
      worker.on('error', (err) => {
        crash = err;
        this.options.logger.warn({ err }, 'YARA scan worker crashed');
      });
      worker.on('exit', (code) => {
        const why = crash?.message ?? `exit code ${code}`;
        reject(new Error(`YARA scan worker stopped: ${why}`));
        if (slot.worker !== worker) return; // terminated by close()
        slot.worker = undefined;
        slot.ready = false;
        const job = slot.job;
        slot.job = undefined;
        if (job) this.finish(job, () => job.reject(new PluginError('worker_crashed', `YARA scan worker died: ${why}`, true)));
        // A worker that never got ready would fail the same way again; only replace one that ran.
        if (!this.closed && ready) {
          // Replace it; queued scans wait for the new worker's 'ready'.
          this.spawn(slot).catch((err: unknown) => this.options.logger.error({ err }, 'could not restart a YARA scan worker'));
        }
        this.notifyIfIdle();
      });
    });
  }

  private finish(job: Job, settle: () => void): void {
    if (job.done) return;
    job.done = true;
    job.cleanup();
    settle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.slots.every((s) => !s.job);
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/**
 * Starts a worker on yara-scan-worker.js beside this module (compiled dist/), or on the .ts file
 * when running from source under tsx: worker threads do not inherit tsx's loader hooks on Node 20,
 * so a one-line bootstrap registers them before importing the TypeScript entry.
 */
function createScanWorker(workerData: ScanWorkerData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./yara-scan-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
