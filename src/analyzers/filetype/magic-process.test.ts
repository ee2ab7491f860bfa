/** The long-lived `file` process: same answers as `file -b`, in step, and surviving crashes and aborts. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { PluginError } from '../../core/plugin.js';
import { makeTempDir, writeTypedSamples, type TypedSample } from '../../../test/fixtures/analyzers/samples.js';
import { escapeLikeFile, MagicProcess } from './magic-process.js';

const logger = pino({ level: 'silent' });
const never = () => new AbortController().signal;

let temp: ReturnType<typeof makeTempDir>;
let samples: TypedSample[];
let describe: MagicProcess;
let mime: MagicProcess;

/** One-shot reference, in the same C locale the long-lived process uses. */
const fileB = (p: string, ...args: string[]) =>
  execFileSync('file', ['-b', '-L', ...args, p], { env: { ...process.env, LC_ALL: 'C' } }).toString().replace(/\n$/, '');

before(async () => {
  temp = makeTempDir('magic');
  samples = writeTypedSamples(temp.dir);
  // Names that `file` has to escape when it echoes them, and ones that only look escaped.
  for (const name of ['é ü:x\\y $z\'q".txt', 'tab\there', 'bell\u0007', 'back\\303slash', 'ends-with-colon:']) {
    const p = path.join(temp.dir, name);
    copyFileSync(path.join(temp.dir, 'sample.txt'), p);
    samples.push({ name, path: p, magika: 'txt', typeTag: 'text' });
  }
  describe = new MagicProcess({ name: 'describe', logger });
  mime = new MagicProcess({ name: 'mime', logger, args: ['--mime-type'] });
  await Promise.all([describe.start(), mime.start()]);
});

after(async () => {
  await Promise.all([describe.close(), mime.close()]);
  temp.remove();
});

test('answers equal `file -b` and `file -b --mime-type`, awkward file names included', async () => {
  for (const s of samples) {
    assert.equal(await describe.query(s.path, never()), fileB(s.path), s.name);
    assert.equal(await mime.query(s.path, never()), fileB(s.path, '--mime-type'), s.name);
  }
});

test('many concurrent queries each get their own file\'s answer', async () => {
  const expected = new Map(samples.map((s) => [s.path, fileB(s.path)]));
  const paths = Array.from({ length: 300 }, (_, i) => samples[(i * 7) % samples.length]!.path);
  const answers = await Promise.all(paths.map((p) => describe.query(p, never())));
  answers.forEach((answer, i) => assert.equal(answer, expected.get(paths[i]!)));
});

test('a missing file is answered, not thrown: the analyzer decides what it means', async () => {
  assert.match(await describe.query(path.join(temp.dir, 'nope'), never()), /^cannot open/);
});

test('escapeLikeFile mirrors libmagic\'s escaping of unprintable and non-ASCII bytes', () => {
  assert.equal(escapeLikeFile('/a/é\t\u0007\\x'), '/a/\\303\\251\\011\\007\\x');
});

/** A stand-in for `file` that dies on paths containing "poison" and hangs on "hang". */
function fakeFile(): string {
  const script = path.join(temp.dir, 'fake-file.sh');
  writeFileSync(
    script,
    `#!/bin/bash
while IFS= read -r p; do
  case "$p" in
    *poison*) exit 3 ;;
    *hang*) exec sleep 600 ;;
  esac
  printf '%s\\0: fake answer for %s\\n' "$p" "\${p##*/}"
done
`,
  );
  chmodSync(script, 0o755);
  return script;
}

test('a request that kills `file` fails after a retry; the requests around it are answered', async () => {
  const fake = new MagicProcess({ name: 'fake', logger, command: fakeFile() });
  try {
    await fake.start();
    const before = fake.query('/x/one', never());
    const poison = fake.query('/x/poison', never());
    const afterIt = fake.query('/x/two', never());
    assert.equal(await before, 'fake answer for one');
    await assert.rejects(poison, (err: unknown) => err instanceof PluginError && err.flag === 'libmagic_crashed');
    assert.equal(await afterIt, 'fake answer for two');
    assert.equal(await fake.query('/x/three', never()), 'fake answer for three');
  } finally {
    await fake.close();
  }
});

test('aborting a request `file` is stuck on restarts it and re-sends the others', async () => {
  const fake = new MagicProcess({ name: 'fake', logger, command: fakeFile() });
  try {
    await fake.start();
    const controller = new AbortController();
    const stuck = fake.query('/x/hang', controller.signal);
    const waiting = fake.query('/x/behind', never());
    controller.abort(new Error('deadline'));
    await assert.rejects(stuck, /deadline/);
    assert.equal(await waiting, 'fake answer for behind');
  } finally {
    await fake.close();
  }
});

test('a `file` that cannot be spawned fails start() and every query', async () => {
  const missing = new MagicProcess({ name: 'missing', logger, command: path.join(temp.dir, 'no-such-file-binary') });
  await assert.rejects(missing.start(), /ENOENT/);
  await assert.rejects(missing.query('/bin/ls', never()), (err: unknown) => err instanceof PluginError && err.flag === 'libmagic_unavailable');
  await missing.close();
});

test('after close, queries are refused', async () => {
  const p = new MagicProcess({ name: 'closing', logger });
  await p.start();
  await p.close();
  await assert.rejects(p.query('/bin/ls', never()), (err: unknown) => err instanceof PluginError && err.flag === 'closed');
});
