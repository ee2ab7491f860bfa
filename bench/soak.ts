/**
 * Soak: mixed load at 80 % of the peak measured in the same run, for a long while, against a real
 * `assay serve` on loopback. Reports requests, 5xx, lost submissions, p99 per minute, RSS and open
 * file descriptors over time (docs/benchmarks.md, "Soak").
 *
 *   npm run soak                       # 10 minutes
 *   npm run soak -- --minutes 2        # a quick run
 *
 * Traffic: report look-ups, analysis reads, small uploads, URL submissions to a loopback site
 * (ASSAY_FETCH_ALLOW), comments, and requests by a key on the `public` tier (4 a minute), which must
 * get 429 rather than 5xx once its quota is spent. Every loop is bounded: by the clock, by a cap
 * on requests in flight, and by a deadline for the backlog to drain at the end.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Agent, request as undiciRequest } from 'undici';
import { rssBytes, startAssay } from './lib.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
const MINUTES = flag('minutes', 10);
/** Seconds per step of the peak ramp (concurrency 1, 2, 4, 8, 16, 32). */
const RAMP_STEP_S = flag('ramp-step', 8);
/** Share of the measured peak to hold. */
const LOAD_SHARE = flag('share', 0.8);
/** Requests in flight at most while holding the rate; beyond it a tick's requests are skipped and counted. */
const MAX_IN_FLIGHT = 64;
/** How long the analysis backlog may take to drain after the load stops. */
const DRAIN_TIMEOUT_MS = flag('drain-minutes', 10) * 60_000;

// ---------------------------------------------------------------- the loopback site for URL submissions

const site = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>soak ${req.url}</title></head><body><p>soak</p></body></html>`);
});
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const siteAddress = site.address();
const siteOrigin = `http://127.0.0.1:${typeof siteAddress === 'object' && siteAddress ? siteAddress.port : 0}`;

const server = await startAssay({
  env: {
    ASSAY_FETCH_ALLOW: '127.0.0.1/32',
    // URL jobs' intel look-ups must not leave the machine: a resolver that refuses at once.
    ASSAY_DNS_SERVERS: '127.0.0.1:9',
    ASSAY_CHROMIUM: 'off',
    ...(process.env.ASSAY_MAGIKA_MODEL_DIR ? { ASSAY_MAGIKA_MODEL_DIR: process.env.ASSAY_MAGIKA_MODEL_DIR } : {}),
  },
});
const base = `${server.url}/api/v3`;
const dispatcher = new Agent({ connections: 128, keepAliveTimeout: 30_000 });

interface Sample {
  at: number;
  ms: number;
  status: number;
}
let samples: Sample[] = [];
let inFlight = 0;

async function call(method: string, path: string, key: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const start = performance.now();
  inFlight++;
  try {
    const res = await undiciRequest(`${base}${path}`, { method: method as 'GET', body, headers: { 'x-apikey': key, ...headers }, dispatcher, headersTimeout: 120_000, bodyTimeout: 120_000 });
    const text = await res.body.text();
    samples.push({ at: Date.now(), ms: performance.now() - start, status: res.statusCode });
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json };
  } catch {
    samples.push({ at: Date.now(), ms: performance.now() - start, status: 0 });
    return { status: 0, json: undefined };
  } finally {
    inFlight--;
  }
}

/** A multipart body by hand: undici's FormData would work too, but a Buffer is cheaper to resend. */
function multipart(bytes: Buffer, name: string): { body: Buffer; type: string } {
  const boundary = `soak${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`);
  return { body: Buffer.concat([head, bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

// ---------------------------------------------------------------- the mix

const admin = server.apiKey;
const created = await call('POST', '/admin/users', admin, JSON.stringify({ data: { type: 'user', attributes: { name: 'soak-public', tier: 'public' } } }), {
  'content-type': 'application/json',
});
if (created.status !== 200) throw new Error(`could not create the quota-limited user: ${created.status}`);
const limitedKey: string = created.json.meta.apikey;

const knownFiles: string[] = [];
const accepted: string[] = [];
let uploads = 0;

async function upload(): Promise<void> {
  const bytes = randomBytes(2048 + (uploads++ % 8) * 1024);
  const { body, type } = multipart(bytes, `soak-${uploads}.bin`);
  const res = await call('POST', '/files', admin, body, { 'content-type': type });
  if (res.status === 200) {
    accepted.push(res.json.data.id);
    knownFiles.push(createHash('sha256').update(bytes).digest('hex'));
  }
}

const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

/** One operation of the mix; weights sum to 100. */
async function operation(): Promise<void> {
  const r = Math.random() * 100;
  if (r < 40) {
    const sha = pick(knownFiles);
    await call('GET', `/files/${sha ?? '0'.repeat(64)}`, admin);
  } else if (r < 55) {
    const id = pick(accepted);
    await call('GET', id ? `/analyses/${encodeURIComponent(id)}` : '/metadata', admin);
  } else if (r < 63) {
    await upload();
  } else if (r < 67) {
    const res = await call('POST', '/urls', admin, new URLSearchParams({ url: `${siteOrigin}/p/${randomBytes(6).toString('hex')}` }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    if (res.status === 200) accepted.push(res.json.data.id);
  } else if (r < 75) {
    const sha = pick(knownFiles);
    if (sha) await call('POST', `/files/${sha}/comments`, admin, JSON.stringify({ data: { type: 'comment', attributes: { text: `soak #t${Math.floor(r)}` } } }), { 'content-type': 'application/json' });
    else await call('GET', '/metadata', admin);
  } else if (r < 85) {
    const sha = pick(knownFiles);
    await call('GET', sha ? `/files/${sha}/comments` : '/metadata', admin);
  } else {
    // The public tier allows 4 a minute: almost all of these must be 429, none 5xx.
    const sha = pick(knownFiles);
    await call('GET', `/files/${sha ?? '0'.repeat(64)}`, limitedKey);
  }
}

// Some files to look up before measuring.
for (let i = 0; i < 20; i++) await upload();

// ---------------------------------------------------------------- peak: a short closed-loop ramp

async function closedLoop(concurrency: number, seconds: number): Promise<number> {
  samples = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await operation();
    }),
  );
  const ok = samples.filter((s) => s.status > 0 && s.status < 500).length;
  return ok / seconds;
}

const ramp: Array<{ concurrency: number; rps: number }> = [];
for (const concurrency of [1, 2, 4, 8, 16, 32]) {
  const rps = await closedLoop(concurrency, RAMP_STEP_S);
  ramp.push({ concurrency, rps });
  process.stdout.write(`ramp: concurrency ${concurrency}: ${rps.toFixed(1)} req/s\n`);
  // Past the knee: a step that adds little means the peak is reached.
  const before = Math.max(...ramp.slice(0, -1).map((r) => r.rps));
  if (ramp.length >= 3 && rps < before * 1.05) break;
}
const peak = Math.max(...ramp.map((r) => r.rps));
const target = peak * LOAD_SHARE;
process.stdout.write(`peak ${peak.toFixed(1)} req/s; holding ${target.toFixed(1)} req/s (${Math.round(LOAD_SHARE * 100)} %) for ${MINUTES} min\n`);

// ---------------------------------------------------------------- hold: open loop at the target rate

function openFds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

samples = [];
const acceptedBeforeHold = accepted.length;
const resources: Array<{ at: number; rss: number; fds: number }> = [];
const holdStart = Date.now();
const holdEnd = holdStart + MINUTES * 60_000;
let skipped = 0;
const sampler = setInterval(() => {
  const rss = rssBytes(server.pid);
  const fds = openFds(server.pid);
  if (rss !== undefined && fds !== undefined) resources.push({ at: Date.now(), rss, fds });
}, 5_000);
const pending = new Set<Promise<void>>();
const TICK_MS = 50;
let due = 0;
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    if (Date.now() >= holdEnd) {
      clearInterval(tick);
      resolve();
      return;
    }
    due += (target * TICK_MS) / 1000;
    while (due >= 1) {
      due -= 1;
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      const p = operation().finally(() => pending.delete(p));
      pending.add(p);
    }
  }, TICK_MS);
});
await Promise.all(pending);
clearInterval(sampler);
const held = samples;
samples = [];

// ---------------------------------------------------------------- drain: every accepted analysis completes

const drainStart = Date.now();
let lost = [...accepted];
while (lost.length > 0 && Date.now() - drainStart < DRAIN_TIMEOUT_MS) {
  const still: string[] = [];
  for (const id of lost) {
    const res = await call('GET', `/analyses/${encodeURIComponent(id)}`, admin);
    if (!(res.status === 200 && res.json.data.attributes.status === 'completed')) still.push(id);
  }
  lost = still;
  if (lost.length > 0) await new Promise((resolve) => setTimeout(resolve, 1_000)); // poll interval of a deadline-bounded wait
}
const drainSeconds = (Date.now() - drainStart) / 1000;

// ---------------------------------------------------------------- report

const p = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const count = (pred: (s: Sample) => boolean) => held.filter(pred).length;
const fiveXx = count((s) => s.status >= 500);
const noAnswer = count((s) => s.status === 0);
const limited = count((s) => s.status === 429);

const lines: string[] = [];
const out = (l = '') => lines.push(l);
out(`Soak ${new Date().toISOString().slice(0, 16)}Z, ${MINUTES} min at ${Math.round(LOAD_SHARE * 100)} % of peak`);
out(`ramp (closed loop, ${RAMP_STEP_S} s a step): ${ramp.map((r) => `${r.concurrency}→${r.rps.toFixed(1)}`).join(', ')} req/s; peak ${peak.toFixed(1)}, target ${target.toFixed(1)} req/s`);
out(`requests ${held.length} (${(held.length / (MINUTES * 60)).toFixed(1)} req/s), 5xx ${fiveXx}, no answer ${noAnswer}, 429 ${limited}, skipped at the in-flight cap ${skipped}`);
out(`submissions accepted ${accepted.length} (${accepted.length - acceptedBeforeHold} during the hold), lost ${lost.length} (backlog drained in ${drainSeconds.toFixed(0)} s)`);
out('minute | requests | 5xx | 429 | p50 ms | p99 ms | RSS MiB (end) | open fds (end)');
for (let m = 0; m < MINUTES; m++) {
  const from = holdStart + m * 60_000;
  const to = from + 60_000;
  const inMinute = held.filter((s) => s.at >= from && s.at < to);
  const ms = inMinute.filter((s) => s.status > 0).map((s) => s.ms);
  const res = resources.filter((r) => r.at < to).at(-1);
  out(
    `${String(m + 1).padStart(6)} | ${String(inMinute.length).padStart(8)} | ${String(inMinute.filter((s) => s.status >= 500).length).padStart(3)} | ${String(inMinute.filter((s) => s.status === 429).length).padStart(3)} | ${p(ms, 0.5).toFixed(1).padStart(6)} | ${p(ms, 0.99).toFixed(1).padStart(6)} | ${res ? (res.rss / 2 ** 20).toFixed(0).padStart(13) : '            -'} | ${res ? String(res.fds).padStart(14) : '             -'}`,
  );
}
// Warm-up: the first minute (or the first fifth of a short run); growth is judged after it.
const warm = resources.filter((r) => r.at >= holdStart + Math.min(60_000, (MINUTES * 60_000) / 5));
if (warm.length >= 2) {
  const first = warm[0]!;
  const last = warm.at(-1)!;
  const maxRss = Math.max(...warm.map((r) => r.rss));
  out(
    `RSS after warm-up: ${(first.rss / 2 ** 20).toFixed(0)} → ${(last.rss / 2 ** 20).toFixed(0)} MiB (max ${(maxRss / 2 ** 20).toFixed(0)}, growth ${(((last.rss - first.rss) / first.rss) * 100).toFixed(1)} %); open fds ${first.fds} → ${last.fds} (min ${Math.min(...warm.map((r) => r.fds))}, max ${Math.max(...warm.map((r) => r.fds))})`,
  );
}
const minuteP99 = Array.from({ length: MINUTES }, (_, m) => p(held.filter((s) => s.at >= holdStart + m * 60_000 && s.at < holdStart + (m + 1) * 60_000 && s.status > 0).map((s) => s.ms), 0.99));
const verdict = fiveXx === 0 && lost.length === 0 ? 'PASS' : 'FAIL';
out(`VERDICT ${verdict}: 5xx ${fiveXx} (goal 0), lost ${lost.length} (goal 0); p99 first/last minute ${minuteP99[0]?.toFixed(1)} / ${minuteP99.at(-1)?.toFixed(1)} ms`);
process.stdout.write(`${lines.join('\n')}\n`);

await dispatcher.close();
await server.stop();
await new Promise<void>((resolve) => site.close(() => resolve()));
process.exit(verdict === 'PASS' ? 0 : 1);
