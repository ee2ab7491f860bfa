/**
 * Worker-thread entry for Magika: holds the ONNX session and labels the bytes it is sent.
 * onnxruntime-node 1.30 runs inference synchronously (inside a setImmediate), so on the main
 * thread every file stalled the event loop for its whole inference; here it stalls only this thread.
 * The npm `magika` package still does the feature extraction and the post-processing (thresholds,
 * overwrite map, text/unknown fallback), so labels match upstream. Only its model is replaced: the
 * package does not ship one and runs it with TensorFlow.js (seconds per file in pure JS, and
 * tfjs-node cannot be installed offline).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Magika } from 'magika';
import type * as Ort from 'onnxruntime-node';
import { serveRequests } from '../../threads/thread-pool.js';

export interface MagikaWorkerData {
  modelDir: string;
}

/** What the worker reports once the model is loaded. */
export interface MagikaWorkerInfo {
  /** The start of model.onnx's sha256 (standard_v3_3 is fe2d2eb49c5f). */
  modelId: string;
  /** Magika reads this many bytes from each end of a file. */
  blockSize: number;
}

export interface MagikaRequest {
  /** The file's first and last blockSize bytes, or the whole file when it is at most twice that. */
  bytes: Uint8Array;
}

export interface MagikaResult {
  label: string;
  modelLabel: string;
  score: number;
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

serveRequests<MagikaRequest, MagikaResult>(async (data) => {
  const { modelDir } = data as MagikaWorkerData;
  // Imported here, not at the top: only this thread pays for onnxruntime-node and for `magika`,
  // which pulls in TensorFlow.js (~0.5 s and ~40 MB) that is never called.
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
  // The pool sends one request at a time, so the session is never used concurrently.
  const predict = async (features: MagikaFeatures): Promise<MagikaPrediction> => {
    const ints = Int32Array.from(features.toArray());
    const out = await session.run({ [inputName]: new ort.Tensor('int32', ints, [1, ints.length]) });
    const scores = out[outputName]!.data as Float32Array;
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
    return { label: labels[best], score: scores[best]!, scores_map: {} } as MagikaPrediction;
  };
  magika.model = { predict } as unknown as MagikaModel;

  return {
    info: { modelId, blockSize: config.block_size } satisfies MagikaWorkerInfo,
    async handle({ bytes }) {
      const result = await magika.identifyBytes(bytes);
      return { value: { label: result.prediction.output.label, modelLabel: result.prediction.dl.label, score: result.prediction.score } };
    },
  };
});
