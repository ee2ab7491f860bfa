/**
 * One Assay deployment for fault injection: `assay serve` (with its supervised clamd and in-process
 * workers), optionally an `assay worker` beside it, PostgreSQL or SQLite, optionally Redis for quota
 * counters, and a data directory on its own small tmpfs so the disk can be filled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ChaosPostgres, ChaosRedis, childrenNamed, randomKey, startServe, startWorker, until, type AssayProcess } from './services.js';

export interface StackOptions {
  db: 'sqlite' | 'postgres';
  redis: boolean;
  /** Start one `assay worker` process beside the server's in-process workers. */
  worker: boolean;
  /** The per-plugin deadline (ASSAY_SCAN_TIMEOUT_MS); faults that stop a component last longer than this. */
  deadlineMs: number;
}

/** A loopback web site for URL submissions (ASSAY_FETCH_ALLOW lets the fetcher reach it). */
export async function startSite(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>chaos ${req.url}</title></head><body><a href="/next">next</a></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export class Stack {
  serve!: AssayProcess & { url: string };
  worker: AssayProcess | undefined;
  postgres: ChaosPostgres | undefined;
  redis: ChaosRedis | undefined;
  site!: { origin: string; close(): Promise<void> };
  readonly adminKey = randomKey();
  /**
   * The key the load runs with: a user on a tier with limits far above the load, so each request
   * is counted against a limit (admins are not, and would not touch Redis at all).
   */
  userKey!: string;
  readonly dataDir: string;
  /** Whether dataDir is a tmpfs of its own (disk-full faults need it). */
  readonly mounted: boolean;
  private env: Record<string, string> = {};
  /** Blobs without a file row already counted by an earlier fault on this stack. */
  readonly orphansSeen = new Set<string>();

  private constructor(readonly options: StackOptions) {
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), 'assay-chaos-'));
    this.mounted = tryMount(this.dataDir);
  }

  static async start(options: StackOptions): Promise<Stack> {
    const stack = new Stack(options);
    try {
      await stack.boot();
    } catch (error) {
      await stack.close();
      throw error;
    }
    return stack;
  }

  private async boot(): Promise<void> {
    this.site = await startSite();
    if (this.options.db === 'postgres') this.postgres = await ChaosPostgres.create();
    if (this.options.redis) this.redis = await ChaosRedis.create();
    const d = this.options.deadlineMs;
    this.env = {
      ASSAY_BOOTSTRAP_API_KEY: this.adminKey,
      ASSAY_SCAN_TIMEOUT_MS: String(d),
      // A short lease, so the jobs of a dead or stopped worker are taken up again soon.
      ASSAY_JOB_LEASE_MS: String(Math.max(2_000, Math.round(d / 2))),
      ASSAY_JOB_POLL_MS: '100',
      ASSAY_WORKER_CONCURRENCY: '2',
      ASSAY_CLAMD_RESTART_MIN_MS: '100',
      ASSAY_CLAMD_RESTART_MAX_MS: '1000',
      ASSAY_CLAMD_PING_INTERVAL_MS: '500',
      ASSAY_CLAMD_PING_TIMEOUT_MS: '1000',
      ASSAY_FETCH_ALLOW: '127.0.0.1/32',
      // A resolver that refuses at once: the URL jobs' intel look-ups must not leave the machine.
      ASSAY_DNS_SERVERS: '127.0.0.1:9',
      ASSAY_CREDENTIAL_CACHE_MS: '60000',
      ASSAY_TIERS: JSON.stringify({
        chaos: { requestsPerMinute: 1_000_000, requestsPerDay: 100_000_000, requestsPerMonth: null, maxConcurrentRequests: 64, privileges: ['download'] },
      }),
      ...(this.postgres ? { ASSAY_DATABASE_URL: this.postgres.url } : {}),
      ...(this.redis ? { ASSAY_REDIS_URL: this.redis.url } : {}),
    };
    this.serve = await startServe(this.dataDir, this.env);
    const created = await fetch(`${this.serve.url}/api/v3/admin/users`, {
      method: 'POST',
      headers: { 'x-apikey': this.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ data: { type: 'user', attributes: { name: 'chaos-load', tier: 'chaos' } } }),
    });
    if (created.status !== 200) throw new Error(`could not create the load's user: ${created.status} ${await created.text()}`);
    this.userKey = ((await created.json()) as { meta: { apikey: string } }).meta.apikey;
    if (this.options.worker) await this.startWorker();
  }

  /** An `assay worker` on the same data, using the server's clamd (two supervisors cannot share one work directory). */
  async startWorker(): Promise<void> {
    this.worker = await startWorker(this.dataDir, { ...this.env, ASSAY_CLAMD: path.join(this.dataDir, 'clamd', 'clamd.sock'), ASSAY_WORKER_CONCURRENCY: '1' });
  }

  /** The supervised clamd's pid, once it runs. */
  clamdPid(): number | undefined {
    return childrenNamed(this.serve.pid, 'clamd')[0];
  }

  async waitForClamd(timeoutMs = 120_000): Promise<number> {
    return until('clamd runs under assay serve', timeoutMs, () => this.clamdPid());
  }

  /** Fills the data directory's file system; returns a function that frees the space again. */
  async fillDisk(): Promise<() => Promise<void>> {
    if (!this.mounted) throw new Error('the data directory is not a tmpfs of its own (mount refused): disk full cannot be injected');
    const filler = path.join(this.dataDir, 'filler.bin');
    const handle = await fs.open(filler, 'w');
    const chunk = Buffer.alloc(1024 * 1024);
    try {
      for (;;) await handle.write(chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
    // Small writes may still fit in the last partial block; fill that too.
    const byte = Buffer.alloc(4096);
    try {
      for (;;) await handle.write(byte);
    } catch {
      // full
    }
    await handle.close();
    return () => fs.rm(filler, { force: true });
  }

  async close(): Promise<void> {
    await this.worker?.kill9().catch(() => {});
    await this.serve?.stop().catch(() => {});
    // The supervised clamd exits with the server; a SIGKILLed server can leave it, so look once more.
    await this.site?.close().catch(() => {});
    this.redis?.close();
    await this.postgres?.close();
    if (this.mounted) {
      try {
        execFileSync('umount', ['-l', this.dataDir], { stdio: 'ignore' });
      } catch {
        // left for the system to clean
      }
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A 128 MiB tmpfs on `dir` (root only); false where mounting is refused. */
function tryMount(dir: string): boolean {
  if (process.getuid?.() !== 0 || process.env.ASSAY_CHAOS_NO_MOUNT) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128m,mode=0755', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
