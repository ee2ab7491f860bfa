/** Magika through onnxruntime-node with the real standard_v3_3 model: labels on a dozen file types. */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CLAM_EXE, makeTempDir, writeTypedSamples, type TypedSample } from '../../../test/fixtures/analyzers/samples.js';
import { loadMagika, type MagikaClassifier } from './magika-classifier.js';

const modelDir = process.env.ASSAY_MAGIKA_MODEL_DIR ?? '/work/shared/magika';
const skip = existsSync(path.join(modelDir, 'model.onnx')) ? false : `no Magika model in ${modelDir} (set ASSAY_MAGIKA_MODEL_DIR)`;
const never = () => new AbortController().signal;

let temp: ReturnType<typeof makeTempDir>;
let samples: TypedSample[];
let magika: MagikaClassifier;

before(async () => {
  temp = makeTempDir('magika');
  samples = writeTypedSamples(temp.dir);
  if (!skip) magika = await loadMagika(modelDir);
});

after(async () => {
  await magika?.close();
  temp.remove();
});

test('labels each sample type correctly', { skip }, async (t) => {
  assert.ok(samples.length >= 12, `only ${samples.length} samples`);
  if (!existsSync(CLAM_EXE)) t.diagnostic(`${CLAM_EXE} missing: no PE sample`);
  for (const s of samples) {
    const result = await magika.identify(s.path, never());
    assert.equal(result.label, s.magika, `${s.name}: model said ${result.modelLabel} (${result.score.toFixed(3)})`);
  }
});

test('identifies the model by its hash', { skip }, () => {
  assert.match(magika.modelId, /^[0-9a-f]{12}$/);
});

test('tiny and empty files use Magika\'s rules, not the model', { skip }, async () => {
  const empty = path.join(temp.dir, 'empty');
  const tiny = path.join(temp.dir, 'tiny');
  const tinyBinary = path.join(temp.dir, 'tiny-binary');
  writeFileSync(empty, '');
  writeFileSync(tiny, 'hi\n');
  writeFileSync(tinyBinary, Buffer.from([0xff, 0xfe, 0x00, 0x80]));
  assert.equal((await magika.identify(empty, never())).label, 'empty');
  assert.equal((await magika.identify(tiny, never())).label, 'txt');
  assert.equal((await magika.identify(tinyBinary, never())).label, 'unknown');
});

test('a large file is judged on its first and last blocks', { skip }, async () => {
  // 1 MB of JavaScript-looking text: only 8 KB is read, and the label is still right.
  const big = path.join(temp.dir, 'big.js');
  const body = "function add(a, b) {\n  return a + b;\n}\nconst total = [1, 2, 3].reduce((acc, x) => add(acc, x), 0);\nconsole.log('total', total);\n";
  writeFileSync(big, body.repeat(Math.ceil(1_000_000 / body.length)));
  assert.equal((await magika.identify(big, never())).label, 'javascript');
});

test('an aborted signal stops before reading', { skip }, async () => {
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(magika.identify(samples[0]!.path, controller.signal), /stop/);
});

test('a directory without a model is an error at load time', async () => {
  await assert.rejects(loadMagika(temp.dir), /ENOENT/);
});
