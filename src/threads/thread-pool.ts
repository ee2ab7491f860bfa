/**
 * A fixed set of worker threads for CPU-bound plugin work, fed from one FIFO queue, one request per
 * worker at a time; and `serveRequests`, the worker side of the same protocol. It keeps hashing,
 * model inference and YARA scans off the event loop. A worker starts with an init step (load a
 * model, self-test, compile rules) that must succeed before it takes requests; a failing init
 * fails `create`. The fuzzy, filetype and PDF analyzers and the YARA engine use it: it is shared
 * infrastructure plugins may import (like `core/` and `runtime/`), with no access to storage or I/O beyond threads.
 */
import { parentPort, Worker, workerData, type Transferable } from 'node:worker_threads';
import type { Logger } from 'pino';
import { PluginError } from '../core/plugin.js';

export interface ThreadPoolOptions<Info = unknown> {
  /** Names the pool in logs and error messages. */
  name: string;
  /** The worker module, from `workerEntry()`. */
  entry: URL;
  size: number;
  logger: Logger;
  workerData?: unknown;
  /**
   * For an init whose costly part one worker can work out and hand to the others (YARA checks
   * which rule files compile): the first worker starts alone with `workerData`, and every worker
   * started after it, replacements included, gets this function of its info instead. `create` then
   * resolves as soon as the first worker is ready; the others join in the background as they get
   * ready, and one that fails to start is logged and left out.
   */
  workerDataAfterFirst?: (firstInfo: Info) => unknown;
  /**
   * What aborting a running request does. `terminate` stops the worker (its CPU work ends at once)
   * and starts a fresh one; `discard` lets it finish and drops the answer, for requests too short
   * to be worth a restart.
   */
  onAbortRunning: 'terminate' | 'discard';
}

/** Messages a worker sends. */
type FromWorker =
  | { kind: 'ready'; info: unknown }
  | { kind: 'failed'; message: string }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; message: string };

interface ToWorker {
  id: number;
  request: unknown;
}

interface Job {
  id: number;
  request: unknown;
  transfer: readonly Transferable[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Set once the caller has been answered; a late result is then dropped. */
  done: boolean;
  cleanup(): void;
}

interface Slot {
  worker?: Worker;
  ready?: boolean;
  job?: Job;
}

/** What a worker's handler returns: the answer, and buffers to move rather than copy. */
export interface WorkerAnswer<Res> {
  value: Res;
  transfer?: Transferable[];
}

/**
 * The worker module for `name` beside `moduleUrl` (pass `import.meta.url`): `.ts` when running
 * from source under tsx, `.js` in the compiled dist/.
 */
export function workerEntry(moduleUrl: string, name: string): URL {
  return new URL(`./${name}.${moduleUrl.endsWith('.ts') ? 'ts' : 'js'}`, moduleUrl);
}

export class ThreadPool<Req, Res, Info = unknown> {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private firstInfo!: Info;
  /** What the next worker to start gets: `workerData`, or what `workerDataAfterFirst` made of the first's info. */
  private dataForNewWorkers: unknown;
  /** Workers being stopped after an abort; close() waits for them too. */
  private readonly stopping = new Set<Promise<unknown>>();
  private readonly idleWaiters: Array<() => void> = [];

  private constructor(private readonly options: ThreadPoolOptions<Info>) {
    this.slots = Array.from({ length: Math.max(1, options.size) }, () => ({}));
    this.dataForNewWorkers = options.workerData;
  }

  /**
   * Resolves once every worker is initialised (only the first, with `workerDataAfterFirst`); an
   * init failure there rejects, and nothing is left running.
   */
  static async create<Req, Res, Info = unknown>(options: ThreadPoolOptions<Info>): Promise<ThreadPool<Req, Res, Info>> {
    const pool = new ThreadPool<Req, Res, Info>(options);
    const { workerDataAfterFirst } = options;
    try {
      if (workerDataAfterFirst) {
        pool.firstInfo = await pool.spawn(pool.slots[0]!);
        pool.dataForNewWorkers = workerDataAfterFirst(pool.firstInfo);
        for (const slot of pool.slots.slice(1)) pool.spawnInBackground(slot, 'a worker thread failed to start');
      } else {
        [pool.firstInfo] = await Promise.all(pool.slots.map((slot) => pool.spawn(slot)));
      }
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** What the first worker's init reported (e.g. a model id, a compile plan). */
  get info(): Info {
    return this.firstInfo;
  }

  run(request: Req, signal: AbortSignal, transfer: readonly Transferable[] = []): Promise<Res> {
    if (this.closed) return Promise.reject(new PluginError('closed', `${this.options.name} is closed`));
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Res>((resolve, reject) => {
      const onAbort = () => this.abort(job, signal.reason);
      const job: Job = {
        id: this.nextId++,
        request,
        transfer,
        resolve: resolve as (value: unknown) => void,
        reject,
        done: false,
        cleanup: () => signal.removeEventListener('abort', onAbort),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Rejects queued and running requests with `closed` and stops every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = () => new PluginError('closed', `${this.options.name} closed`);
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
    await Promise.allSettled([...this.stopping]);
    this.notifyIfIdle();
  }

  /**
   * Resolves once nothing is queued, running or being stopped. A request answered early by an
   * abort with `discard` counts as running until its worker is done with it, so a pool retired
   * this way (e.g. after a rules reload) does not cut that work short.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private abort(job: Job, reason: unknown): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(job, () => job.reject(reason));
      this.notifyIfIdle();
      return;
    }
    const slot = this.slots.find((s) => s.job === job);
    if (!slot?.worker || this.options.onAbortRunning === 'discard') {
      this.finish(job, () => job.reject(reason));
      return;
    }
    // Answer once the thread has stopped, so no work on this request outlives the rejection.
    const worker = slot.worker;
    slot.worker = undefined;
    slot.ready = false;
    slot.job = undefined;
    const stopped = worker.terminate().finally(() => {
      this.stopping.delete(stopped);
      this.finish(job, () => job.reject(reason));
      if (!this.closed) this.spawnInBackground(slot, 'could not restart a worker thread');
      this.notifyIfIdle();
    });
    this.stopping.add(stopped);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.closed || this.queue.length === 0) break;
      if (slot.job || !slot.ready) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      // Only a busy worker keeps the process alive.
      slot.worker!.ref();
      slot.worker!.postMessage({ id: job.id, request: job.request } satisfies ToWorker, job.transfer);
    }
    this.notifyIfIdle();
  }

  private spawnInBackground(slot: Slot, failure: string): void {
    this.spawn(slot).catch((err: unknown) => {
      if (!this.closed) this.options.logger.error({ err, pool: this.options.name }, failure);
    });
  }

  /** Starts a worker in `slot`; resolves with its init info once it is ready. */
  private spawn(slot: Slot): Promise<Info> {
    const worker = startWorker(this.options.entry, this.dataForNewWorkers);
    slot.worker = worker;
    let ready = false;
    return new Promise<Info>((resolve, reject) => {
      let crash: Error | undefined;
      worker.on('message', (msg: FromWorker) => {
        if (slot.worker !== worker) return;
        if (msg.kind === 'ready') {
          ready = true;
          slot.ready = true;
          worker.unref();
          resolve(msg.info as Info);
          this.dispatch();
          return;
        }
        if (msg.kind === 'failed') {
          crash = new Error(msg.message);
          void worker.terminate(); // 'exit' follows and rejects
          return;
        }
        const job = slot.job;
        if (!job || job.id !== msg.id) return;
        slot.job = undefined;
        worker.unref();
        if (msg.kind === 'result') this.finish(job, () => job.resolve(msg.value));
        else this.finish(job, () => job.reject(new Error(`${this.options.name}: ${msg.message}`)));
        this.dispatch();
      });
      // 'error' (an uncaught throw) is always followed by 'exit'.
      worker.on('error', (err) => {
        crash = err;
        this.options.logger.warn({ err, pool: this.options.name }, 'a worker thread crashed');
      });
      worker.on('exit', (code) => {
        const why = crash?.message ?? `exit code ${code}`;
        reject(ready ? new Error(`${this.options.name} worker stopped: ${why}`) : (crash ?? new Error(why)));
        if (slot.worker !== worker) return; // stopped on purpose (close or abort)
        slot.worker = undefined;
        slot.ready = false;
        const job = slot.job;
        slot.job = undefined;
        if (job) this.finish(job, () => job.reject(new PluginError('worker_crashed', `${this.options.name} worker died: ${why}`, true)));
        // A worker that never got ready would fail the same way again; only replace one that ran.
        if (!this.closed && ready) this.spawnInBackground(slot, 'could not restart a worker thread');
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
    return this.queue.length === 0 && this.stopping.size === 0 && this.slots.every((slot) => !slot.job);
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/**
 * Worker side: runs `init` once (its result is reported as the pool's `info`; a throw fails the
 * worker's start), then answers requests with `handle`, one at a time as the pool sends them.
 */
export function serveRequests<Req, Res>(
  init: (data: unknown) => Promise<{ info?: unknown; handle(request: Req): WorkerAnswer<Res> | Promise<WorkerAnswer<Res>> }>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests runs only in a worker thread');
  init(workerData).then(
    ({ info, handle }) => {
      port.on('message', (msg: ToWorker) => {
        Promise.resolve()
          .then(() => handle(msg.request as Req))
          .then(
            ({ value, transfer }) => port.postMessage({ kind: 'result', id: msg.id, value } satisfies FromWorker, transfer ?? []),
            (err: unknown) => port.postMessage({ kind: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) } satisfies FromWorker),
          );
      });
      port.postMessage({ kind: 'ready', info } satisfies FromWorker);
    },
    (err: unknown) => port.postMessage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker),
  );
}

/**
 * Worker threads do not inherit tsx's loader hooks on Node 20, so from source a one-line bootstrap
 * registers them before importing the TypeScript entry.
 */
function startWorker(entry: URL, data: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}
