/** Magika through onnxruntime-node in a worker thread with the real standard_v3_3 model: labels, threads, abort, close. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PluginError } from '../../core/plugin.js';
import { CLAM_EXE, makeTempDir, writeTypedSamples, type TypedSample } from '../../../test/fixtures/analyzers/samples.js';
import { loadMagika, type MagikaClassifier } from './magika-classifier.js';

const modelDir = process.env.ASSAY_MAGIKA_MODEL_DIR ?? '/work/shared/magika';
const skip = existsSync(path.join(modelDir, 'model.onnx')) ? false : `no Magika model in ${modelDir} (set ASSAY_MAGIKA_MODEL_DIR)`;
const never = () => new AbortController().signal;
/** This process's threads (Linux /proc). */
const threads = () => readdirSync('/proc/self/task').length;
/** CPU time of the main thread alone, in ms (Linux /proc, clock ticks of 10 ms). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

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

test('the model runs in another thread: onnxruntime is not loaded here and the main thread does little per file', { skip }, async () => {
  const loadedHere = Object.keys(createRequire(import.meta.url).cache).filter((k) => /onnxruntime|[/\\]magika[/\\]/.test(k));
  assert.deepEqual(loadedHere, []);
  const files = samples.map((s) => s.path);
  for (const f of files) await magika.identify(f, never()); // warm
  const rounds = 10;
  const cpuBefore = mainThreadCpuMs();
  for (let i = 0; i < rounds; i++) await Promise.all(files.map((f) => magika.identify(f, never())));
  const perFile = (mainThreadCpuMs() - cpuBefore) / (rounds * files.length);
  // Inference plus feature extraction here took 5-10 ms of main-thread CPU per file.
  assert.ok(perFile < 2, `main thread used ${perFile.toFixed(2)} ms of CPU per file`);
});

test('an abort while the model runs rejects with the reason; the next file is labelled as usual', { skip }, async () => {
  const controller = new AbortController();
  const running = magika.identify(samples[0]!.path, controller.signal);
  controller.abort(new Error('deadline'));
  await assert.rejects(running, /deadline/);
  assert.equal((await magika.identify(samples[0]!.path, never())).label, samples[0]!.magika);
});

test('close() stops the model thread; later calls are refused as closed', { skip }, async () => {
  const baseline = threads();
  const m = await loadMagika(modelDir);
  assert.ok(threads() > baseline, 'the model has its own thread');
  await m.close();
  await until(() => threads() <= baseline, 5000);
  await assert.rejects(m.identify(samples[0]!.path, never()), (err: unknown) => err instanceof PluginError && err.flag === 'closed');
});

test('a directory without a model is an error at load time', async () => {
  await assert.rejects(loadMagika(temp.dir), /ENOENT/);
});
