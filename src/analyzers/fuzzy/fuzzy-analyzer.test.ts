/** The fuzzy analyzer against the Debian ssdeep and tlsh CLIs it runs, plus abort, readiness and parsing. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { Analyzer, FileInput } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { makeTempDir, writeFuzzySamples, type FuzzySample } from '../../../test/fixtures/analyzers/samples.js';
import { createFuzzyAnalyzer, parseSsdeepOutput, parseTlshOutput } from './fuzzy-analyzer.js';

const logger = pino({ level: 'silent' });

const which = (cmd: string): string | undefined => {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
const ssdeepPath = which('ssdeep');
const tlshPath = which('tlsh');
const skip = !ssdeepPath || !tlshPath ? 'ssdeep or tlsh CLI missing (apt-get install ssdeep tlsh-tools)' : false;

let temp: ReturnType<typeof makeTempDir>;
let samples: FuzzySample[];
/** 50 MB, for the event-loop test. */
let big: string;
/** 256 MiB, so that either tool takes well over a second on it. */
let huge: string;
let analyzer: Analyzer;

const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: path.basename(p), names: [] });
const never = () => new AbortController().signal;

before(async () => {
  temp = makeTempDir('fuzzy');
  samples = writeFuzzySamples(temp.dir);
  big = path.join(temp.dir, 'random-50m');
  writeFileSync(big, randomBytes(50 * 1024 * 1024));
  // Written 1 MiB at a time from one random block; the tools' cost does not depend on the content.
  huge = path.join(temp.dir, 'huge-256m');
  const block = randomBytes(1024 * 1024);
  writeFileSync(huge, '');
  for (let i = 0; i < 256; i++) writeFileSync(huge, block, { flag: 'a' });
  analyzer = createFuzzyAnalyzer({ logger });
  if (!skip) {
    const readiness = await analyzer.start();
    assert.equal(readiness.ready, true, readiness.detail);
  }
});

after(async () => {
  await analyzer.close();
  temp.remove();
});

function cliSsdeep(p: string): string {
  return execFileSync('ssdeep', ['-s', '-b', p]).toString().split('\n')[1]!.replace(/,".*$/, '');
}

/** `tlsh -f` prints "DIGEST\tpath", or "file PATH: file too small" / "...: cannot hash" when it gives none. */
function cliTlsh(p: string): string | undefined {
  const m = /^([0-9A-Fa-f]{70})\t/.exec(execFileSync('tlsh', ['-f', p]).toString());
  return m ? `T1${m[1]}` : undefined;
}

/** Our child processes whose argv mentions `arg` (Linux /proc). */
function childrenWith(arg: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(arg)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('ssdeep and tlsh equal what the CLIs print, for every sample (text, random 3 KB and 10 MB, /bin/ls, ...)', { skip }, async () => {
  const names = samples.map((s) => s.name);
  for (const name of ['text', 'random-3k', 'random-10m', 'ls']) assert.ok(names.includes(name), name);
  let withTlsh = 0;
  for (const s of samples) {
    const { attributes } = await analyzer.analyze(input(s.path), never());
    assert.equal(attributes.ssdeep, cliSsdeep(s.path), `ssdeep of ${s.name}`);
    assert.equal(attributes.tlsh, cliTlsh(s.path), `tlsh of ${s.name}`);
    if (attributes.tlsh !== undefined) {
      assert.match(attributes.tlsh as string, /^T1[0-9A-F]{70}$/);
      withTlsh++;
    }
  }
  assert.ok(withTlsh >= 8, `only ${withTlsh} samples had a tlsh`);
});

test('files tlsh declines (100 random bytes, 300 zero bytes, empty) have no tlsh attribute at all', { skip }, async () => {
  const cases: Record<string, Buffer> = { 'random-100': randomBytes(100), 'zeros-300': Buffer.alloc(300), empty: Buffer.alloc(0) };
  for (const [name, bytes] of Object.entries(cases)) {
    const p = path.join(temp.dir, `declined-${name}`);
    writeFileSync(p, bytes);
    assert.equal(cliTlsh(p), undefined, `the CLI hashes ${name}`);
    const { attributes } = await analyzer.analyze(input(p), never());
    assert.deepEqual(Object.keys(attributes), ['ssdeep'], name);
    assert.equal(attributes.ssdeep, cliSsdeep(p));
  }
  // 256 random bytes is the smallest input tlsh hashes.
  const p = path.join(temp.dir, 'random-256');
  writeFileSync(p, randomBytes(256));
  assert.match((await analyzer.analyze(input(p), never())).attributes.tlsh as string, /^T1/);
});

test('odd characters in the path reach the tools as one argument', { skip }, async () => {
  const dir = path.join(temp.dir, `sub dir $(touch pwned) ';"`);
  mkdirSync(dir);
  const p = path.join(dir, `we"ird,name\nT1 -f x\t$HOME`);
  writeFileSync(p, randomBytes(4096));
  const { attributes } = await analyzer.analyze(input(p), never());
  assert.equal(attributes.ssdeep, cliSsdeep(p));
  assert.equal(attributes.tlsh, cliTlsh(p));
  assert.ok(!readdirSync(process.cwd()).includes('pwned'));
  // A relative path starting with '-' is made absolute, so no tool reads it as an option.
  const dash = path.join(temp.dir, '-V');
  writeFileSync(dash, randomBytes(1024));
  const rel = path.relative(process.cwd(), dash);
  const { attributes: a2 } = await analyzer.analyze(input(rel), never());
  assert.equal(a2.ssdeep, cliSsdeep(dash));
});

test('files above tlshMaxBytes get ssdeep only', { skip }, async () => {
  const small = createFuzzyAnalyzer({ logger, tlshMaxBytes: 1024 });
  try {
    assert.equal((await small.start()).ready, true);
    const { attributes } = await small.analyze(input('/bin/ls'), never());
    assert.deepEqual(Object.keys(attributes), ['ssdeep']);
  } finally {
    await small.close();
  }
});

test('the event loop keeps running while a 50 MB file is hashed', { skip }, async () => {
  let ticks = 0;
  let last = performance.now();
  let worstGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worstGapMs = Math.max(worstGapMs, now - last);
    last = now;
    ticks++;
  }, 5);
  const started = performance.now();
  try {
    const { attributes } = await analyzer.analyze(input(big), never());
    assert.match(attributes.ssdeep as string, /^\d+:/);
    assert.match(attributes.tlsh as string, /^T1/);
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed > 200, `hashing took only ${elapsed.toFixed(0)} ms; the test proves nothing`);
  assert.ok(worstGapMs < Math.min(1000, elapsed / 2), `timer starved for ${worstGapMs.toFixed(0)} ms of ${elapsed.toFixed(0)} ms`);
  assert.ok(ticks > elapsed / 25, `only ${ticks} ticks in ${elapsed.toFixed(0)} ms`);
});

test('aborting kills both children at once and rejects with the reason; the next file still hashes', { skip }, async () => {
  const controller = new AbortController();
  const reason = new Error('deadline passed');
  const started = performance.now();
  const running = analyzer.analyze(input(huge), controller.signal);
  // Both tools are running on the 256 MiB file (each needs well over a second for it).
  await until(() => childrenWith(huge).length === 2, 2000);
  const abortedAt = performance.now();
  controller.abort(reason);
  await assert.rejects(running, (err) => err === reason);
  const rejectedAfter = performance.now() - abortedAt;
  assert.ok(rejectedAfter < 1500, `rejection took ${rejectedAfter.toFixed(0)} ms after abort`);
  assert.ok(performance.now() - started < 3000, 'abort did not cut the hash short');
  // analyze() settles only once its children have exited.
  assert.deepEqual(childrenWith(huge), []);
  const { attributes } = await analyzer.analyze(input('/bin/ls'), never());
  assert.equal(attributes.ssdeep, cliSsdeep('/bin/ls'));
});

test('close() kills running children and rejects their analyses', { skip }, async () => {
  const a = createFuzzyAnalyzer({ logger });
  await a.start();
  const running = a.analyze(input(huge), never());
  await until(() => childrenWith(huge).length === 2, 2000);
  const closedAt = performance.now();
  await a.close();
  await assert.rejects(running, (err: unknown) => err instanceof PluginError && err.flag === 'closed');
  assert.ok(performance.now() - closedAt < 1000);
  assert.deepEqual(childrenWith(huge), []);
});

test('an already-aborted signal is refused before any work', { skip }, async () => {
  const controller = new AbortController();
  controller.abort(new Error('too late'));
  await assert.rejects(analyzer.analyze(input('/bin/ls'), controller.signal), /too late/);
});

test('a missing file or a directory is a non-retryable file_unreadable failure', { skip }, async () => {
  for (const p of [path.join(temp.dir, 'does-not-exist'), temp.dir]) {
    await assert.rejects(
      analyzer.analyze(input(p), never()),
      (err: unknown) => err instanceof PluginError && err.flag === 'file_unreadable' && !err.retryable,
    );
  }
});

test('a tool that hangs is killed at commandTimeoutMs; the other digest is kept', { skip }, async () => {
  const hang = path.join(temp.dir, 'hang.sh');
  writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  // The self-test needs a real tlsh; swap in the hanging one afterwards through a symlink.
  const link = path.join(temp.dir, 'tlsh-link');
  symlinkSync(tlshPath!, link);
  const a = createFuzzyAnalyzer({ logger, tlshCommand: link, commandTimeoutMs: 300 });
  try {
    assert.equal((await a.start()).ready, true);
    execFileSync('ln', ['-sfn', hang, link]);
    const started = performance.now();
    const { attributes } = await a.analyze(input('/bin/ls'), never());
    assert.deepEqual(Object.keys(attributes), ['ssdeep']);
    assert.ok(performance.now() - started < 2000);
  } finally {
    await a.close();
  }
});

test('readiness: neither tool on PATH is not ready and names the apt packages', async () => {
  const empty = path.join(temp.dir, 'empty-bin');
  mkdirSync(empty);
  const savedPath = process.env.PATH;
  process.env.PATH = empty;
  const a = createFuzzyAnalyzer({ logger });
  try {
    const readiness = await a.start();
    assert.equal(readiness.ready, false);
    assert.match(readiness.detail ?? '', /ssdeep not found/);
    assert.match(readiness.detail ?? '', /tlsh not found/);
    assert.match(readiness.detail ?? '', /apt-get install ssdeep tlsh-tools/);
    await assert.rejects(a.analyze(input('/bin/ls'), never()), (err: unknown) => err instanceof PluginError && err.flag === 'not_ready');
  } finally {
    process.env.PATH = savedPath;
    await a.close();
  }
});

test('readiness: only ssdeep on PATH is ready, says tlsh-tools is missing, and gives no tlsh', { skip }, async () => {
  const bin = path.join(temp.dir, 'ssdeep-only-bin');
  mkdirSync(bin);
  symlinkSync(ssdeepPath!, path.join(bin, 'ssdeep'));
  const savedPath = process.env.PATH;
  process.env.PATH = bin;
  const a = createFuzzyAnalyzer({ logger });
  try {
    const readiness = await a.start();
    assert.equal(readiness.ready, true, readiness.detail);
    assert.match(readiness.detail ?? '', /tlsh not found/);
    assert.match(readiness.detail ?? '', /apt-get install tlsh-tools/);
    assert.doesNotMatch(readiness.detail ?? '', /install ssdeep/);
    const { attributes } = await a.analyze(input('/bin/ls'), never());
    assert.deepEqual(attributes, { ssdeep: cliSsdeep('/bin/ls') });
  } finally {
    process.env.PATH = savedPath;
    await a.close();
  }
});

test('readiness: injected commands; a missing ssdeep leaves tlsh only', { skip }, async () => {
  const a = createFuzzyAnalyzer({ logger, ssdeepCommand: path.join(temp.dir, 'no-such-ssdeep'), tlshCommand: tlshPath! });
  try {
    const readiness = await a.start();
    assert.equal(readiness.ready, true, readiness.detail);
    assert.match(readiness.detail ?? '', /apt-get install ssdeep(?! tlsh)/);
    assert.match(readiness.engineVersion ?? '', /^tlsh 3\./);
    const { attributes } = await a.analyze(input('/bin/ls'), never());
    assert.deepEqual(attributes, { tlsh: cliTlsh('/bin/ls') });
  } finally {
    await a.close();
  }
});

test('readiness: a tool printing the wrong digest fails its self-test', async () => {
  const fake = path.join(temp.dir, 'fake-tlsh');
  writeFileSync(fake, `#!/bin/sh\n[ "$1" = -version ] && { echo 9.9; exit 0; }\nprintf '%070d\\t%s\\n' 0 "$2"\n`, { mode: 0o755 });
  const a = createFuzzyAnalyzer({ logger, ssdeepCommand: path.join(temp.dir, 'no-such-ssdeep'), tlshCommand: fake });
  try {
    const readiness = await a.start();
    assert.equal(readiness.ready, false);
    assert.match(readiness.detail ?? '', /printed T10{70} for the self-test/);
  } finally {
    await a.close();
  }
});

test('output parsing', () => {
  const header = 'ssdeep,1.1--blocksize:hash:hash,filename\n';
  assert.equal(parseSsdeepOutput(`${header}3:E:E,"one"\n`), '3:E:E');
  assert.equal(parseSsdeepOutput(`${header}3::,"empty"\n`), '3::');
  assert.equal(parseSsdeepOutput(`${header}3:d:d,"we\\"ird,name\nT1line"\n`), '3:d:d');
  assert.equal(parseSsdeepOutput(''), undefined);
  assert.equal(parseSsdeepOutput('/x: No such file or directory\n'), undefined);
  const hex = 'EB31024A21181794658A18C8438D94B2D2C8C510612114116530614219082259CD8551';
  assert.equal(parseTlshOutput(`${hex}\t/x/y\n`, '/x/y'), `T1${hex}`);
  assert.equal(parseTlshOutput(`T1${hex}\t/x/y\n`, '/x/y'), `T1${hex}`);
  assert.equal(parseTlshOutput(`${hex.toLowerCase()}\t/x/y\n`, '/x/y'), `T1${hex.toLowerCase()}`);
  assert.equal(parseTlshOutput('file /x/y: file too small\n', '/x/y'), null);
  assert.equal(parseTlshOutput('file /x/y: cannot hash\n', '/x/y'), null);
  assert.equal(parseTlshOutput('error file /x/y: cannot read file\n', '/x/y'), undefined);
  // A path that embeds a digest-looking line is not mistaken for one.
  assert.equal(parseTlshOutput(`file /x\n${hex}\ty: file too small\n`, `/x\n${hex}\ty`), null);
  assert.equal(parseTlshOutput(`file /a: file too small\n`, '/b'), undefined);
});
