/**
 * The fault catalogue (component × fault) and the run of one fault under load: inject, hold it
 * past the deadline, undo, wait for recovery, then check that nothing accepted was lost or half written.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { analysis, client, eicar, newTally, runLoad, uploadFile, type Client, type Tally } from './load.js';
import { signal, until } from './services.js';
import type { Stack } from './stack.js';

export type Component = 'clamd' | 'PostgreSQL' | 'SQLite' | 'Redis' | 'blob store' | 'worker';
export type FaultKind = 'kill -9' | 'SIGSTOP > deadline' | 'disk full' | 'slow disk';

export interface Outcome {
  component: Component;
  fault: FaultKind;
  requests: number;
  statuses: string;
  /** 5xx other than 503, or 503 without VT's envelope. */
  bad: Tally['bad'];
  noAnswer: number;
  accepted: number;
  completed: number;
  /** The ClamAV category of the probe analysed while clamd was down (clamd faults only). */
  engineWhileDown?: string;
  /** Seconds from undoing the fault to a fresh EICAR analysed by ClamAV as malicious. */
  recoverySeconds: number;
  /** Half-written state found afterwards: analyses never completed, files the API shows without their bytes, bytes that differ. */
  integrity: string[];
  /** Committed blobs the API does not show (their rows never written): unreclaimed space, not a visible defect. */
  orphanBlobs: number;
  notes: string;
}

interface Fault {
  component: Component;
  fault: FaultKind;
  /** Which stack it needs. */
  db: 'sqlite' | 'postgres';
  /** What was simulated, for the table. */
  how: string;
  /** Starts the fault and keeps it up until the returned function is called, which undoes it. */
  inject(stack: Stack): Promise<() => Promise<void>>;
}

/**
 * Keeps `apply` on every new pid `find` returns until undone: a supervised clamd is restarted
 * after a kill or a hang, and holding the fault for the whole window makes "while down" certain.
 */
function hold(find: () => number | undefined, apply: (pid: number) => void, release: (pids: number[]) => void): () => Promise<void> {
  const hit = new Set<number>();
  const tick = () => {
    const pid = find();
    if (pid !== undefined && !hit.has(pid)) {
      hit.add(pid);
      apply(pid);
    }
  };
  tick();
  const timer = setInterval(tick, 50);
  return async () => {
    clearInterval(timer);
    release([...hit]);
  };
}

/** SIGSTOP for `stopMs`, SIGCONT for `runMs`, over and over: I/O (and everything else) of `pids` stalls in bursts, as on a slow disk. */
function bursts(pids: () => number[], stopMs = 400, runMs = 200): () => Promise<void> {
  let stopped: number[] = [];
  let timer: NodeJS.Timeout;
  const flip = () => {
    if (stopped.length > 0) {
      for (const pid of stopped) signal(pid, 'SIGCONT');
      stopped = [];
      timer = setTimeout(flip, runMs);
    } else {
      stopped = pids();
      for (const pid of stopped) signal(pid, 'SIGSTOP');
      timer = setTimeout(flip, stopMs);
    }
  };
  flip();
  return async () => {
    clearTimeout(timer);
    for (const pid of stopped) signal(pid, 'SIGCONT');
  };
}

const some = (pid: number | undefined): number[] => (pid === undefined ? [] : [pid]);

export const faults: Fault[] = [
  {
    component: 'clamd',
    fault: 'kill -9',
    db: 'postgres',
    how: 'SIGKILL of the supervised clamd, repeated on each restart for the window',
    async inject(stack) {
      return hold(() => stack.clamdPid(), (pid) => signal(pid, 'SIGKILL'), () => {});
    },
  },
  {
    component: 'clamd',
    fault: 'SIGSTOP > deadline',
    db: 'postgres',
    how: 'SIGSTOP of clamd (and of each clamd the supervisor starts instead) for the window, then SIGCONT',
    async inject(stack) {
      return hold(() => stack.clamdPid(), (pid) => signal(pid, 'SIGSTOP'), (pids) => pids.forEach((pid) => signal(pid, 'SIGCONT')));
    },
  },
  {
    component: 'clamd',
    fault: 'slow disk',
    db: 'postgres',
    how: 'SIGSTOP 400 ms / SIGCONT 200 ms bursts on clamd',
    async inject(stack) {
      return bursts(() => some(stack.clamdPid()));
    },
  },
  {
    component: 'PostgreSQL',
    fault: 'kill -9',
    db: 'postgres',
    how: 'SIGKILL of the postmaster and every backend; started again on its port after the window',
    async inject(stack) {
      await stack.postgres!.kill9();
      return async () => stack.postgres!.start();
    },
  },
  {
    component: 'PostgreSQL',
    fault: 'SIGSTOP > deadline',
    db: 'postgres',
    how: 'SIGSTOP of the postmaster and every backend for the window, then SIGCONT',
    async inject(stack) {
      stack.postgres!.stopProcesses();
      return async () => stack.postgres!.continueProcesses();
    },
  },
  {
    component: 'PostgreSQL',
    fault: 'slow disk',
    db: 'postgres',
    how: 'SIGSTOP 400 ms / SIGCONT 200 ms bursts on the postmaster and backends',
    async inject(stack) {
      return bursts(() => stack.postgres!.allPids());
    },
  },
  {
    component: 'SQLite',
    fault: 'disk full',
    db: 'sqlite',
    how: 'the data directory (SQLite, blobs, clamd temp) is a 128 MiB tmpfs, filled to ENOSPC',
    async inject(stack) {
      return stack.fillDisk();
    },
  },
  {
    component: 'SQLite',
    fault: 'slow disk',
    db: 'sqlite',
    how: 'SIGSTOP 400 ms / SIGCONT 200 ms bursts on `assay serve`, the process doing SQLite and blob I/O',
    async inject(stack) {
      return bursts(() => [stack.serve.pid]);
    },
  },
  {
    component: 'blob store',
    fault: 'disk full',
    db: 'postgres',
    how: 'the data directory (blobs, staging, clamd temp; metadata in PostgreSQL) is a 128 MiB tmpfs, filled to ENOSPC',
    async inject(stack) {
      return stack.fillDisk();
    },
  },
  {
    component: 'Redis',
    fault: 'kill -9',
    db: 'postgres',
    how: 'SIGKILL of redis-server (no persistence: counters restart from zero); started again on its port after the window',
    async inject(stack) {
      await stack.redis!.kill9();
      return async () => stack.redis!.start();
    },
  },
  {
    component: 'Redis',
    fault: 'SIGSTOP > deadline',
    db: 'postgres',
    how: 'SIGSTOP of redis-server for the window, then SIGCONT',
    async inject(stack) {
      const pid = stack.redis!.pid();
      signal(pid, 'SIGSTOP');
      return async () => signal(pid, 'SIGCONT');
    },
  },
  {
    component: 'worker',
    fault: 'kill -9',
    db: 'postgres',
    how: 'SIGKILL of the `assay worker` process mid-analysis; started again after the window',
    async inject(stack) {
      stack.worker!.expectedDown = true;
      await stack.worker!.kill9();
      return async () => stack.startWorker();
    },
  },
  {
    component: 'worker',
    fault: 'SIGSTOP > deadline',
    db: 'postgres',
    how: 'SIGSTOP of the `assay worker` process for longer than its lease, then SIGCONT',
    async inject(stack) {
      const pid = stack.worker!.pid;
      signal(pid, 'SIGSTOP');
      return async () => signal(pid, 'SIGCONT');
    },
  },
  {
    component: 'worker',
    fault: 'slow disk',
    db: 'postgres',
    how: 'SIGSTOP 400 ms / SIGCONT 200 ms bursts on the `assay worker` process',
    async inject(stack) {
      return bursts(() => [stack.worker!.pid]);
    },
  },
];

export const describeFault = (f: { component: Component; fault: FaultKind }): string => `${f.component} × ${f.fault}`;

/** Uploads a unique EICAR and waits for its analysis; resolves with ClamAV's category, or undefined if the upload was refused. */
async function probe(c: Client, tally: Tally, timeoutMs: number): Promise<string | undefined> {
  const accepted = await uploadFile(c, tally, Buffer.from(`${eicar()}\nprobe ${Date.now()} ${Math.random()}`), 'probe.com');
  if (!accepted) {
    lastRefusal = tally.bad.at(-1)?.body ?? `${[...tally.byStatus.keys()].join(',')}`;
    return undefined;
  }
  const done = await until(`probe analysis ${accepted.analysisId} completes`, timeoutMs, async () => {
    const a = await analysis(c, accepted.analysisId);
    return a?.status === 'completed' ? a : undefined;
  });
  return done.results.ClamAV?.category ?? '(no ClamAV result)';
}

let lastRefusal = '';

/** A process of the deployment that died by itself is a finding, not something to wait out. */
function assertAlive(stack: Stack): void {
  for (const [name, p] of [['assay serve', stack.serve], ['assay worker', stack.worker]] as const) {
    if (p && !p.alive() && !p.expectedDown) throw new Error(`${name} exited (${p.process.exitCode ?? p.process.signalCode}) during the fault:\n${p.output().slice(-4000)}`);
  }
}

export interface RunOptions {
  /** How long the fault is held: longer than the stack's deadline (and the job lease). */
  windowMs: number;
  /** How long recovery and the backlog may take before the run fails. */
  settleMs: number;
  lanes: number;
}

export async function runFault(stack: Stack, fault: Fault, options: RunOptions): Promise<Outcome> {
  const tally = newTally();
  // Probes and checks as the admin; the load as a user whose every request is counted (Redis).
  const c = client(stack.serve.url, stack.adminKey, tally);
  const loadClient = client(stack.serve.url, stack.userKey, tally);
  // Healthy before: clamd up and ClamAV detecting.
  await stack.waitForClamd();
  await until('ClamAV detects EICAR before the fault', options.settleMs, async () => (await probe(c, tally, options.settleMs)) === 'malicious');

  const load = runLoad(loadClient, tally, { lanes: options.lanes, siteOrigin: stack.site.origin });
  let engineWhileDown: string | undefined;
  let undo: (() => Promise<void>) | undefined;
  let recoverySeconds = NaN;
  try {
    await until('some submissions accepted under load', options.settleMs, () => tally.accepted.length >= 3);
    undo = await fault.inject(stack);
    const windowEnd = Date.now() + options.windowMs;
    if (fault.component === 'clamd' && fault.fault !== 'slow disk') {
      // The probe's analysis completes while clamd is still down: its ClamAV result says how that shows.
      engineWhileDown = await probe(c, tally, options.settleMs);
    }
    await until('the fault window passes', options.windowMs + 60_000, () => {
      assertAlive(stack);
      return Date.now() >= windowEnd;
    }, 200);
    await undo();
    undo = undefined;
    const undoneAt = Date.now();
    await until('ClamAV detects EICAR again after the fault', options.settleMs, async () => {
      assertAlive(stack);
      return (await probe(c, tally, options.settleMs)) === 'malicious';
    }, 500).catch((error) => {
      throw new Error(`${String(error)}; last refusal: ${lastRefusal}; statuses ${[...tally.byStatus].join(' ')}`, { cause: error });
    });
    recoverySeconds = (Date.now() - undoneAt) / 1000;
  } finally {
    await undo?.();
    await load.stop();
  }

  // Every accepted submission completes.
  let completed = 0;
  const stuck: string[] = [];
  const deadline = Date.now() + options.settleMs;
  for (const a of tally.accepted) {
    try {
      await until(`analysis ${a.analysisId} completes`, Math.max(1_000, deadline - Date.now()), async () => (await analysis(c, a.analysisId))?.status === 'completed', 250);
      completed++;
    } catch {
      stuck.push(a.analysisId);
    }
  }

  const { problems: integrity, orphanBlobs } = await checkIntegrity(stack, c, tally);
  if (stuck.length > 0) integrity.unshift(`${stuck.length} accepted analyses never completed (e.g. ${stuck[0]})`);
  const statuses = [...tally.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
  return {
    component: fault.component,
    fault: fault.fault,
    requests: tally.requests,
    statuses,
    bad: tally.bad,
    noAnswer: tally.noAnswer,
    accepted: tally.accepted.length,
    completed,
    engineWhileDown,
    recoverySeconds,
    integrity,
    orphanBlobs,
    notes: fault.how,
  };
}

/**
 * Nothing half written: every accepted file is shown by the API and downloads with exactly its
 * bytes; no blob file on disk is partial (its name is its content's sha256); blobs the API does not
 * show (bytes committed, rows lost) are counted.
 */
async function checkIntegrity(stack: Stack, c: Client, tally: Tally): Promise<{ problems: string[]; orphanBlobs: number }> {
  const problems: string[] = [];
  const files = tally.accepted.filter((a) => a.kind === 'file');
  for (const a of files) {
    const report = await c.request('GET', `/files/${a.sha256}`);
    if (report.status !== 200) {
      problems.push(`accepted file ${a.sha256} answers ${report.status}`);
      continue;
    }
    const res = await fetch(`${stack.serve.url}/api/v3/files/${a.sha256}/download`, { headers: { 'x-apikey': stack.adminKey } });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || !body.equals(a.bytes!)) problems.push(`download of ${a.sha256}: ${res.status}, ${body.length} bytes, not the ${a.bytes!.length} uploaded`);
  }
  const blobRoot = path.join(stack.dataDir, 'blobs');
  let orphans = 0;
  for (const sha of listBlobs(blobRoot)) {
    if (stack.orphansSeen.has(sha)) continue;
    const bytes = await readFile(path.join(blobRoot, sha.slice(0, 2), sha.slice(2, 4), sha));
    if (createHash('sha256').update(bytes).digest('hex') !== sha) problems.push(`blob ${sha} holds other bytes (partial write)`);
    const report = await c.request('GET', `/files/${sha}`);
    if (report.status === 404) {
      orphans++;
      stack.orphansSeen.add(sha);
    }
  }
  return { problems, orphanBlobs: orphans };
}

function listBlobs(root: string): string[] {
  const out: string[] = [];
  const dirs = (p: string) => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  };
  for (const a of dirs(root).filter((d) => /^[0-9a-f]{2}$/.test(d))) {
    for (const b of dirs(path.join(root, a)).filter((d) => /^[0-9a-f]{2}$/.test(d))) {
      for (const f of dirs(path.join(root, a, b))) if (/^[0-9a-f]{64}$/.test(f)) out.push(f);
    }
  }
  return out;
}
