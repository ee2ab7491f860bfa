// A chain of long-lived worker threads that hash uploads (md5, sha1, sha256) and write them to staging.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { FileHashes } from '../../core/hashes.js';
import type { ChainMessage } from './hash-protocol.js';

export type HashAlgorithm = keyof FileHashes;

/** One link of the chain: the algorithms it computes, and whether it writes the staging file. */
export interface WorkerGroup {
  algorithms: readonly HashAlgorithm[];
  /** Exactly one link writes each batch to the staging file. */
  writes?: boolean;
}

/**
 * md5 (~0.65 GB/s, no SIMD form) bounds the rate, so it has a link of its own; sha1 and sha256
 * use SHA-NI and together take about as long; writing to the page cache costs about as much
 * again (more on a VM), so it gets the third link. Any link can then run on its own core.
 */
export const defaultWorkerGroups: readonly WorkerGroup[] = [
  { algorithms: ['md5'] },
  { algorithms: ['sha1', 'sha256'] },
  { algorithms: [], writes: true },
];

/** Under tsx the sources are .ts; from dist/ only the compiled .js exists beside this module. */
export function hashWorkerUrl(): URL {
  const compiled = new URL('./hash-worker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : new URL('./hash-worker.ts', import.meta.url);
}

function spawnWorker(options: ConstructorParameters<typeof Worker>[1] & { name: string }): Worker {
  const url = hashWorkerUrl();
  if (url.pathname.endsWith('.js')) return new Worker(url, options);
  // Running from sources: Node 20 does not apply the parent's `--import tsx` hooks to a worker's
  // entry file (privatenumber/tsx#354), so the worker registers tsx itself before importing it.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

interface Deferred<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * The workers, linked by MessageChannels. A batch is transferred main -> first -> ... -> last ->
 * main: no thread copies it, and the main thread sends one message and gets one back per batch.
 */
class Chain {
  readonly workers: Worker[];
  private readonly batches = new Map<string, Deferred<ArrayBuffer>>();
  private readonly digests = new Map<number, Deferred<Record<string, string>>>();
  private activeSessions = 0;
  failure: Error | undefined;

  constructor(groups: readonly WorkerGroup[]) {
    const channels = groups.slice(1).map(() => new MessageChannel());
    this.workers = groups.map((group, i) => {
      const input = i > 0 ? channels[i - 1]!.port2 : undefined;
      const output = i < groups.length - 1 ? channels[i]!.port1 : undefined;
      const worker = spawnWorker({
        name: `assay-ingest-${[...group.algorithms, ...(group.writes ? ['write'] : [])].join('-')}`,
        workerData: { algorithms: group.algorithms, writes: group.writes === true, input, output },
        transferList: [input, output].filter((p) => p !== undefined),
      });
      // Idle workers must not keep the process alive; sessions ref them while in use.
      worker.unref();
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => this.fail(new Error(`hash worker exited with code ${code}`)));
      return worker;
    });
    this.workers.at(-1)!.on('message', (m: ChainMessage) => this.onReply(m));
  }

  send(message: ChainMessage, transfer: ArrayBuffer[] = []): void {
    this.workers[0]!.postMessage(message, transfer);
  }

  begin(): void {
    if (this.activeSessions++ === 0) for (const w of this.workers) w.ref();
  }

  end(): void {
    if (--this.activeSessions === 0) for (const w of this.workers) w.unref();
  }

  batch(key: string, message: ChainMessage & { op: 'update' }): Promise<ArrayBuffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.batches.set(key, { resolve, reject });
      this.send(message, [message.buffer]);
    });
  }

  digest(session: number): Promise<Record<string, string>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.digests.set(session, { resolve, reject });
      this.send({ op: 'digest', session, digests: {} });
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new Error('hash pool closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private onReply(message: ChainMessage): void {
    if (message.op === 'update') {
      const key = `${message.session}:${message.seq}`;
      const deferred = this.batches.get(key);
      this.batches.delete(key);
      if (message.error) deferred?.reject(Object.assign(new Error(`could not hash or write the upload: ${message.error}`), message.errorCode ? { code: message.errorCode } : {}));
      else deferred?.resolve(message.buffer);
    } else if (message.op === 'digest') {
      this.digests.get(message.session)?.resolve(message.digests);
      this.digests.delete(message.session);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const d of this.batches.values()) d.reject(this.failure);
    for (const d of this.digests.values()) d.reject(this.failure);
    this.batches.clear();
    this.digests.clear();
  }
}

/** The hashing and writing of one upload: batches in order, then the digests once. */
export interface HashSession {
  /**
   * Hashes `length` bytes of `buffer` and writes them at `position` of the staging file. Takes
   * `buffer` (it is transferred, so detached here) and resolves with it, for reuse, once the
   * whole chain is done with it.
   */
  update(buffer: ArrayBuffer, length: number, position: number): Promise<ArrayBuffer>;
  digest(): Promise<FileHashes>;
  abort(): void;
}

class ChainSession implements HashSession {
  private seq = 0;
  private ended = false;

  constructor(
    private readonly id: number,
    private readonly chain: Chain,
    fd: number,
  ) {
    chain.begin();
    chain.send({ op: 'open', session: id, fd });
  }

  update(buffer: ArrayBuffer, length: number, position: number): Promise<ArrayBuffer> {
    const seq = this.seq++;
    return this.chain.batch(`${this.id}:${seq}`, { op: 'update', session: this.id, seq, buffer, length, position });
  }

  async digest(): Promise<FileHashes> {
    try {
      const d = await this.chain.digest(this.id);
      return { md5: d.md5!, sha1: d.sha1!, sha256: d.sha256! };
    } finally {
      this.finish(false);
    }
  }

  abort(): void {
    this.finish(true);
  }

  private finish(abort: boolean): void {
    if (this.ended) return;
    this.ended = true;
    if (abort && !this.chain.failure) this.chain.send({ op: 'abort', session: this.id });
    this.chain.end();
  }
}

export class HashPool {
  private chain: Chain | undefined;
  private nextSession = 1;
  private closed = false;

  constructor(private readonly groups: readonly WorkerGroup[] = defaultWorkerGroups) {
    const covered = groups
      .flatMap((g) => g.algorithms)
      .sort()
      .join(',');
    if (covered !== 'md5,sha1,sha256') throw new Error(`worker groups must cover md5, sha1 and sha256 once each: ${covered}`);
    if (groups.filter((g) => g.writes).length !== 1) throw new Error('exactly one worker group must write the file');
  }

  /** Starts the workers now rather than on the first upload (boot time, benchmarks). */
  warmUp(): void {
    this.ensureChain();
  }

  /** A session hashing through the chain and writing to `fd` (open for writing). */
  open(options: { fd: number }): HashSession {
    return new ChainSession(this.nextSession++, this.ensureChain(), options.fd);
  }

  /** Terminates the workers; sessions in progress fail, and later uploads are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const chain = this.chain;
    this.chain = undefined;
    await chain?.terminate();
  }

  private ensureChain(): Chain {
    if (this.closed) throw new Error('hash pool closed');
    // A broken chain (a worker crashed) has failed its sessions already; start a new one.
    if (this.chain?.failure) void this.chain.terminate();
    if (!this.chain || this.chain.failure) this.chain = new Chain(this.groups);
    return this.chain;
  }
}

let shared: HashPool | undefined;

/** The process-wide pool used by receiveUpload unless one is passed in. */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
