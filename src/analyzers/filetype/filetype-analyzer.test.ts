/** The filetype analyzer end to end with the real `file` and Magika model. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { Analyzer, FileInput, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { startedHost } from '../../pipeline/testing/started-host.js';
import { CLAM_EXE, makeTempDir, writeTypedSamples, type TypedSample } from '../../../test/fixtures/analyzers/samples.js';
import { createFiletypeAnalyzer } from './filetype-analyzer.js';
import { runAnalyzerContract } from '../contract.case.test.js';

const logger = pino({ level: 'silent' });
const modelDir = process.env.ASSAY_MAGIKA_MODEL_DIR ?? '/work/shared/magika';
const noModel = existsSync(path.join(modelDir, 'model.onnx')) ? false : `no Magika model in ${modelDir} (set ASSAY_MAGIKA_MODEL_DIR)`;
const never = () => new AbortController().signal;
const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: path.basename(p), names: [path.basename(p)] });
const fileB = (p: string) => execFileSync('file', ['-b', '-L', p], { env: { ...process.env, LC_ALL: 'C' } }).toString().trim();

let temp: ReturnType<typeof makeTempDir>;
let samples: TypedSample[];
let analyzer: Analyzer;
/** What start() reported. */
let started: Readiness;

before(async () => {
  temp = makeTempDir('filetype');
  samples = writeTypedSamples(temp.dir);
  analyzer = createFiletypeAnalyzer({ magikaModelDir: noModel ? undefined : modelDir, logger });
  const readiness = await analyzer.start();
  started = readiness;
  assert.equal(readiness.ready, true, readiness.detail);
});

after(async () => {
  await analyzer.close();
  temp.remove();
});

test('manifest and readiness name both tools', { skip: noModel }, () => {
  assert.equal(analyzer.manifest.name, 'filetype');
  const { detail, engineVersion } = started;
  assert.match(detail ?? '', /libmagic file-5\.\d+/);
  assert.match(detail ?? '', /magika \(model [0-9a-f]{12} from /);
  assert.match(engineVersion ?? '', /^file-5\.\d+; magika model [0-9a-f]{12}$/);
});

test('gives VT attributes for each sample type', { skip: noModel }, async () => {
  for (const s of samples) {
    const { attributes, tags } = await analyzer.analyze(input(s.path), never());
    assert.equal(attributes.magic, fileB(s.path), `${s.name} magic`);
    assert.equal(attributes.magika, s.magika.toUpperCase(), `${s.name} magika`);
    assert.equal(attributes.type_tag, s.typeTag, `${s.name} type_tag`);
    assert.ok((attributes.type_tags as string[]).includes(s.typeTag), `${s.name} type_tags`);
    assert.equal(typeof attributes.type_description, 'string');
    assert.ok(tags?.includes(s.typeTag), `${s.name} tags`);
  }
});

test('a PE gets the full Win32 EXE vocabulary', { skip: noModel || !existsSync(CLAM_EXE) ? `needs the model and ${CLAM_EXE}` : false }, async () => {
  const pe = samples.find((s) => s.typeTag === 'peexe')!;
  const { attributes, tags } = await analyzer.analyze(input(pe.path), never());
  assert.deepEqual(
    { ...attributes, magic: undefined },
    {
      magic: undefined,
      magika: 'PEBIN',
      type_description: 'Win32 EXE',
      type_tag: 'peexe',
      type_tags: ['executable', 'windows', 'win32', 'pe', 'peexe'],
      type_extension: 'exe',
    },
  );
  assert.deepEqual(tags, ['peexe']);
});

test('a 64-bit ELF is tagged 64bits and has no extension', async () => {
  const { attributes, tags } = await analyzer.analyze(input('/bin/ls'), never());
  assert.equal(attributes.type_description, 'ELF');
  assert.ok(!('type_extension' in attributes));
  assert.deepEqual(tags, ['elf', '64bits']);
});

test('without a model directory libmagic still runs; readiness says magika is off and why', async () => {
  const plain = createFiletypeAnalyzer({ logger });
  try {
    const readiness = await plain.start();
    assert.equal(readiness.ready, true);
    assert.match(readiness.detail ?? '', /magika off: no model directory configured/);
    const { attributes } = await plain.analyze(input(path.join(temp.dir, 'sample.py')), never());
    assert.ok(!('magika' in attributes));
    // libmagic alone: its "Python script" description decides.
    assert.equal(attributes.type_tag, 'python');
  } finally {
    await plain.close();
  }
});

test('an unloadable model directory is reported, and libmagic carries on', async () => {
  const broken = createFiletypeAnalyzer({ logger, magikaModelDir: temp.dir });
  try {
    const readiness = await broken.start();
    assert.equal(readiness.ready, true);
    assert.match(readiness.detail ?? '', /magika off: cannot load the model from .*ENOENT/);
    const { attributes } = await broken.analyze(input('/bin/ls'), never());
    assert.equal(attributes.type_tag, 'elf');
    assert.ok(!('magika' in attributes));
  } finally {
    await broken.close();
  }
});

test('without libmagic, Magika alone still types the file', { skip: noModel }, async () => {
  const magikaOnly = createFiletypeAnalyzer({ logger, magikaModelDir: modelDir, fileCommand: path.join(temp.dir, 'no-file-here') });
  try {
    const readiness = await magikaOnly.start();
    assert.equal(readiness.ready, true);
    assert.match(readiness.detail ?? '', /libmagic off/);
    const { attributes } = await magikaOnly.analyze(input(path.join(temp.dir, 'sample.ps1')), never());
    assert.equal(attributes.type_tag, 'powershell');
    assert.equal(attributes.magika, 'POWERSHELL');
    assert.ok(!('magic' in attributes));
  } finally {
    await magikaOnly.close();
  }
});

test('with neither tool the analyzer is not ready and the host gives it no work', async () => {
  const none = createFiletypeAnalyzer({ logger, fileCommand: path.join(temp.dir, 'no-file-here') });
  const host = await startedHost({ analyzer: [none] });
  try {
    const readiness = host.readiness(none);
    assert.equal(readiness.ready, false);
    assert.match(readiness.detail ?? '', /libmagic off.*magika off/);
    assert.deepEqual(host.route([none], { kind: 'file', size: 10 }).run, []);
    const outcome = await host.call('analyzer', none, (s) => none.analyze(input('/bin/ls'), s), never());
    assert.equal(outcome.kind, 'not-ready');
  } finally {
    await host.close();
  }
});

test('a missing file fails as file_unreadable', async () => {
  await assert.rejects(
    analyzer.analyze(input(path.join(temp.dir, 'missing')), never()),
    (err: unknown) => err instanceof PluginError && err.flag === 'file_unreadable',
  );
});

test('an aborted analysis rejects with the abort reason, and the next one works', async () => {
  const controller = new AbortController();
  const pending = analyzer.analyze(input('/bin/ls'), controller.signal);
  controller.abort(new Error('deadline'));
  await assert.rejects(pending, /deadline/);
  assert.equal((await analyzer.analyze(input('/bin/ls'), never())).attributes.type_tag, 'elf');
});

test('warm speed on small files (reported, not asserted)', async (t) => {
  const small = samples.filter((s) => !s.name.endsWith('.elf'));
  for (const s of small) await analyzer.analyze(input(s.path), never());
  const rounds = 10;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) for (const s of small) await analyzer.analyze(input(s.path), never());
  const perFile = (performance.now() - started) / (rounds * small.length);
  t.diagnostic(`filetype: ${perFile.toFixed(2)} ms per small file, sequential, warm`);
});

// The analyzer contract, over the real `file` processes and Magika, with a system binary as the sample.
runAnalyzerContract('filetype', () => createFiletypeAnalyzer({ magikaModelDir: noModel ? undefined : modelDir, logger }), {
  sample: { ...input('/bin/ls'), size: statSync('/bin/ls').size },
});
