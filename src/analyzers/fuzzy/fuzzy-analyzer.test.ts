/** The fuzzy analyzer against the Debian ssdeep and tlsh CLIs, plus abort, close, readiness and the event loop. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { Analyzer, FileInput, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { makeTempDir, writeFuzzySamples, type FuzzySample } from '../../../test/fixtures/analyzers/samples.js';
import { createFuzzyAnalyzer } from './fuzzy-analyzer.js';
import { referenceCliSkip as skip, ssdeepCli, tlshCli } from './testing/reference-cli.js';
import { statSync } from 'node:fs';
import { runAnalyzerContract } from '../contract.case.test.js';

const logger = pino({ level: 'silent' });

let temp: ReturnType<typeof makeTempDir>;
let samples: FuzzySample[];
/** 50 MB, for the event-loop test. */
let big: string;
/** 256 MiB, so that hashing it takes several seconds. */
let huge: string;
let analyzer: Analyzer;
/** What start() reported. */
let started: Readiness;

const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: path.basename(p), names: [] });
const never = () => new AbortController().signal;
const cliSsdeep = (p: string) => ssdeepCli([p])[0];
/** This process's threads (Linux /proc); each hashing worker is one. */
const threads = () => readdirSync('/proc/self/task').length;

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

before(async () => {
  temp = makeTempDir('fuzzy');
  samples = writeFuzzySamples(temp.dir);
  big = path.join(temp.dir, 'random-50m');
  writeFileSync(big, randomBytes(50 * 1024 * 1024));
  // Written 1 MiB at a time from one random block; the hashing cost does not depend on the content.
  huge = path.join(temp.dir, 'huge-256m');
  const block = randomBytes(1024 * 1024);
  writeFileSync(huge, '');
  for (let i = 0; i < 256; i++) writeFileSync(huge, block, { flag: 'a' });
  analyzer = createFuzzyAnalyzer({ logger });
  const readiness = await analyzer.start();
  started = readiness;
  assert.equal(readiness.ready, true, readiness.detail);
});

after(async () => {
  await analyzer.close();
  temp.remove();
});

test('ssdeep and tlsh equal what the CLIs print, for every sample (text, random 3 KB and 10 MB, /bin/ls, ...)', { skip }, async () => {
  const names = samples.map((s) => s.name);
  for (const name of ['text', 'random-3k', 'random-10m', 'ls']) assert.ok(names.includes(name), name);
  const expected = ssdeepCli(samples.map((s) => s.path));
  let withTlsh = 0;
  for (const [i, s] of samples.entries()) {
    const { attributes } = await analyzer.analyze(input(s.path), never());
    assert.equal(attributes.ssdeep, expected[i], `ssdeep of ${s.name}`);
    assert.equal(attributes.tlsh, tlshCli(s.path), `tlsh of ${s.name}`);
    if (attributes.tlsh !== undefined) {
      assert.match(attributes.tlsh as string, /^T1[0-9A-F]{70}$/);
      withTlsh++;
    }
  }
  assert.ok(withTlsh >= 8, `only ${withTlsh} samples had a tlsh`);
});

test('many files at once are all hashed, each with its own digests', { skip }, async () => {
  const files = samples.filter((s) => !s.name.includes('10m') && !s.name.includes('5m')).map((s) => s.path);
  const results = await Promise.all(files.map((f) => analyzer.analyze(input(f), never())));
  assert.deepEqual(
    results.map((r) => r.attributes.ssdeep),
    ssdeepCli(files),
  );
});

test('files tlsh declines (100 random bytes, 300 zero bytes, empty) have no tlsh attribute at all', { skip }, async () => {
  const cases: Record<string, Buffer> = { 'random-100': randomBytes(100), 'zeros-300': Buffer.alloc(300), empty: Buffer.alloc(0) };
  for (const [name, bytes] of Object.entries(cases)) {
    const p = path.join(temp.dir, `declined-${name}`);
    writeFileSync(p, bytes);
    assert.equal(tlshCli(p), undefined, `the CLI hashes ${name}`);
    const { attributes } = await analyzer.analyze(input(p), never());
    assert.deepEqual(Object.keys(attributes), ['ssdeep'], name);
    assert.equal(attributes.ssdeep, cliSsdeep(p));
  }
  // 256 random bytes is the smallest input tlsh hashes.
  const p = path.join(temp.dir, 'random-256');
  writeFileSync(p, randomBytes(256));
  assert.equal((await analyzer.analyze(input(p), never())).attributes.tlsh, tlshCli(p));
});

test('odd characters in the path and a relative path starting with "-" are read as given', { skip }, async () => {
  const dir = path.join(temp.dir, `sub dir $(touch pwned) ';"`);
  mkdirSync(dir);
  const p = path.join(dir, `we"ird,name\nT1 -f x\t$HOME`);
  writeFileSync(p, randomBytes(4096));
  const { attributes } = await analyzer.analyze(input(p), never());
  assert.equal(attributes.tlsh, tlshCli(p));
  assert.ok(!readdirSync(process.cwd()).includes('pwned'));
  const dash = path.join(temp.dir, '-V');
  writeFileSync(dash, randomBytes(1024));
  const { attributes: a2 } = await analyzer.analyze(input(path.relative(process.cwd(), dash)), never());
  assert.equal(a2.ssdeep, cliSsdeep(dash));
});

test('files above tlshMaxBytes get ssdeep only, read in pieces, still equal to the CLI', { skip }, async () => {
  const small = createFuzzyAnalyzer({ logger, tlshMaxBytes: 1024, hashThreads: 1 });
  try {
    assert.equal((await small.start()).ready, true);
    const tenMegabytes = samples.find((s) => s.name === 'random-10m')!.path;
    const { attributes } = await small.analyze(input(tenMegabytes), never());
    assert.deepEqual(attributes, { ssdeep: cliSsdeep(tenMegabytes) });
  } finally {
    await small.close();
  }
});

test('the event loop keeps running while a 50 MB file is hashed', async () => {
  // Counted, not timed: a hash on the main thread would let no tick through until it ended.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    const { attributes } = await analyzer.analyze(input(big), never());
    assert.match(attributes.ssdeep as string, /^\d+:/);
    assert.match(attributes.tlsh as string, /^T1/);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks >= 5, `only ${ticks} timer ticks while 50 MB were hashed`);
});

/**
 * The same 256 MiB hash on a separate analyzer, started first: whatever settles before it has not
 * waited for a full hash. An order, not a time, so a loaded machine slows both sides alike.
 */
async function referenceHash(): Promise<{ done: () => boolean; stop: () => Promise<void> }> {
  const reference = createFuzzyAnalyzer({ logger, hashThreads: 1 });
  assert.equal((await reference.start()).ready, true);
  let settled = false;
  const hashing = reference.analyze(input(huge), never()).then(
    () => (settled = true),
    () => (settled = true),
  );
  return { done: () => settled, stop: async () => { await reference.close(); await hashing; } };
}

test('aborting rejects at once with the reason and frees the thread: the next file does not wait for the aborted one', { skip }, async () => {
  const one = createFuzzyAnalyzer({ logger, hashThreads: 1 });
  const reference = await referenceHash();
  try {
    assert.equal((await one.start()).ready, true);
    const controller = new AbortController();
    const reason = new Error('deadline passed');
    const running = one.analyze(input(huge), controller.signal);
    // Abort once the hash is under way (its thread busy), not before it started.
    await new Promise((r) => setTimeout(r, 200));
    controller.abort(reason);
    await assert.rejects(running, (err) => err === reason);
    assert.equal(reference.done(), false, 'the rejection waited for a whole hash');
    // The only thread was replaced, so a small file goes straight through.
    const { attributes } = await one.analyze(input('/bin/ls'), never());
    assert.equal(attributes.ssdeep, cliSsdeep('/bin/ls'));
    assert.equal(reference.done(), false, 'the next file waited for the aborted hash');
  } finally {
    await Promise.all([one.close(), reference.stop()]);
  }
});

test('close() rejects running analyses as closed and stops the hashing threads', async () => {
  const baseline = threads();
  const a = createFuzzyAnalyzer({ logger, hashThreads: 2 });
  assert.equal((await a.start()).ready, true);
  assert.ok(threads() >= baseline + 2, 'two hashing threads run');
  const reference = await referenceHash();
  const running = a.analyze(input(huge), never()).then(() => 'answered', (err: unknown) => err);
  await new Promise((r) => setTimeout(r, 100));
  try {
    await a.close();
    const outcome = await running;
    assert.ok(outcome instanceof PluginError && outcome.flag === 'closed', String(outcome));
    assert.equal(reference.done(), false, 'close() waited for a whole hash');
  } finally {
    await reference.stop();
  }
  await until(() => threads() <= baseline, 5000);
  await assert.rejects(a.analyze(input('/bin/ls'), never()), (err: unknown) => err instanceof PluginError && err.flag === 'not_ready');
});

test('an already-aborted signal is refused before any work', async () => {
  const controller = new AbortController();
  controller.abort(new Error('too late'));
  await assert.rejects(analyzer.analyze(input('/bin/ls'), controller.signal), /too late/);
});

test('a missing file or a directory is a non-retryable file_unreadable failure', async () => {
  for (const p of [path.join(temp.dir, 'does-not-exist'), temp.dir]) {
    await assert.rejects(
      analyzer.analyze(input(p), never()),
      (err: unknown) => err instanceof PluginError && err.flag === 'file_unreadable' && !err.retryable,
    );
  }
});

test('readiness names the implementations, the threads and the TLSH limit; before start nothing is analysed', async () => {
  const readiness = started;
  assert.equal(readiness.ready, true);
  assert.match(readiness.engineVersion ?? '', /^ssdeep 2\.14\.1 \(in-process\); tlsh\.js 1\.0\.\d+$/);
  assert.match(readiness.detail ?? '', /worker thread\(s\); tlsh for files up to 256 MiB$/);
  const idle = createFuzzyAnalyzer({ logger });
  await assert.rejects(idle.analyze(input('/bin/ls'), never()), (err: unknown) => err instanceof PluginError && err.flag === 'not_ready');
  await idle.close();
});

// The analyzer contract, over the real worker threads, with a system binary as the sample.
runAnalyzerContract('fuzzy', () => createFuzzyAnalyzer({ logger }), { sample: { ...input('/bin/ls'), size: statSync('/bin/ls').size } });
