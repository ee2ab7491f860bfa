/** Magika file-type labels, with Magika's model run by onnxruntime-node. */
// The npm `magika` package still does the feature extraction and the post-processing (thresholds,
// overwrite map, text/unknown fallback), so labels match upstream. Only its model is replaced: the
// package does not ship one and runs it with TensorFlow.js (seconds per file in pure JS, and
// tfjs-node cannot be installed offline).
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Magika } from 'magika';
import type * as Ort from 'onnxruntime-node';

export interface MagikaLabel {
  /** Final label after Magika's confidence rules (e.g. `pebin`, `txt`, `unknown`). */
  label: string;
  /** The model's own top label and score, before those rules. */
  modelLabel: string;
  score: number;
}

export interface MagikaClassifier {
  /** Identifies the model in use: the start of model.onnx's sha256 (standard_v3_3 is fe2d2eb49c5f). */
  readonly modelId: string;
  identify(filePath: string, signal: AbortSignal): Promise<MagikaLabel>;
  close(): Promise<void>;
}

interface ModelConfigJson {
  beg_size: number;
  end_size: number;
  block_size: number;
  target_labels_space: string[];
  [key: string]: unknown;
}

type MagikaModel = Magika['model'];
type MagikaFeatures = Parameters<MagikaModel['predict']>[0];
type MagikaPrediction = Awaited<ReturnType<MagikaModel['predict']>>;

/** Loads `model.onnx` and `config.min.json` from `modelDir`. Throws when either is missing or invalid. */
export async function loadMagika(modelDir: string): Promise<MagikaClassifier> {
  // Both load only when Magika is configured: onnxruntime-node is a large native package, and
  // `magika` pulls in TensorFlow.js (~0.5 s and ~40 MB), which we never call.
  const ort: typeof Ort = await import('onnxruntime-node');
  const { Magika: MagikaBase } = await import('magika');
  /** Magika's constructor is protected; a subclass builds one without its network loader. */
  class OrtMagika extends MagikaBase {
    static make(): Magika {
      return new OrtMagika();
    }
  }
  const config = JSON.parse(await readFile(path.join(modelDir, 'config.min.json'), 'utf8')) as ModelConfigJson;
  if (!Array.isArray(config.target_labels_space) || !(config.block_size > 0)) {
    throw new Error(`${modelDir}/config.min.json is not a Magika model config`);
  }
  const model = await readFile(path.join(modelDir, 'model.onnx'));
  const modelId = createHash('sha256').update(model).digest('hex').slice(0, 12);
  const session = await ort.InferenceSession.create(model, {
    // One inference is ~5 ms; extra threads only compete with the other analyzers.
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const labels = config.target_labels_space;

  const magika = OrtMagika.make();
  // setConfig is protected in the typings but is how Magika's own loaders apply a config.
  (magika.model_config as unknown as { setConfig(c: unknown): void }).setConfig(config);
  magika.model_config.loaded = true;

  // Runs are serialised: cheap, and keeps the native session out of concurrent use.
  let queue: Promise<unknown> = Promise.resolve();
  const predict = (features: MagikaFeatures): Promise<MagikaPrediction> => {
    const run = queue.then(async () => {
      const ints = Int32Array.from(features.toArray());
      const out = await session.run({ [inputName]: new ort.Tensor('int32', ints, [1, ints.length]) });
      const scores = out[outputName]!.data as Float32Array;
      let best = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
      return { label: labels[best], score: scores[best]!, scores_map: {} } as MagikaPrediction;
    });
    queue = run.catch(() => undefined);
    return run;
  };
  magika.model = { predict } as unknown as MagikaModel;

  const blockSize = config.block_size;
  return {
    modelId,
    async identify(filePath: string, signal: AbortSignal): Promise<MagikaLabel> {
      signal.throwIfAborted();
      const bytes = await readHeadAndTail(filePath, blockSize);
      signal.throwIfAborted();
      const result = await magika.identifyBytes(bytes);
      return { label: result.prediction.output.label, modelLabel: result.prediction.dl.label, score: result.prediction.score };
    },
    async close(): Promise<void> {
      await session.release();
    },
  };
}

/**
 * Magika looks only at the first and last block_size bytes (then strips whitespace and keeps
 * beg_size/end_size of them), so for a large file those two blocks, concatenated, give the same
 * features as the whole file; smaller files are read whole.
 */
async function readHeadAndTail(filePath: string, blockSize: number): Promise<Uint8Array> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= 2 * blockSize) {
      const buf = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buf, 0, size, 0);
      return buf.subarray(0, bytesRead);
    }
    const buf = Buffer.alloc(2 * blockSize);
    await handle.read(buf, 0, blockSize, 0);
    await handle.read(buf, blockSize, blockSize, size - blockSize);
    return buf;
  } finally {
    await handle.close();
  }
}
