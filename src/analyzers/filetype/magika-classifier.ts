/**
 * Magika file-type labels. The model runs in a worker thread (magika-worker.ts); this side reads
 * the only bytes Magika looks at and sends them over, so the event loop does no inference.
 */
import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { ThreadPool, workerEntry } from '../../threads/thread-pool.js';
import type { MagikaRequest, MagikaResult, MagikaWorkerData, MagikaWorkerInfo } from './magika-worker.js';

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

/**
 * Loads `model.onnx` and `config.min.json` from `modelDir` in a worker thread. Throws (with the
 * worker's reason, e.g. ENOENT) when either is missing or invalid.
 */
export async function loadMagika(modelDir: string, logger: Logger = pino({ level: 'silent' })): Promise<MagikaClassifier> {
  const pool = await ThreadPool.create<MagikaRequest, MagikaResult>({
    name: 'magika',
    entry: workerEntry(import.meta.url, 'magika-worker'),
    // One session: an inference is a few milliseconds, far below the file reads and the other analyzers.
    size: 1,
    logger,
    workerData: { modelDir } satisfies MagikaWorkerData,
    // Too short to be worth restarting the thread (and reloading the model) for.
    onAbortRunning: 'discard',
  });
  const { modelId, blockSize } = pool.info as MagikaWorkerInfo;
  return {
    modelId,
    async identify(filePath: string, signal: AbortSignal): Promise<MagikaLabel> {
      signal.throwIfAborted();
      const bytes = await readHeadAndTail(filePath, blockSize);
      // Allocated by readHeadAndTail as a plain ArrayBuffer, never a SharedArrayBuffer.
      return pool.run({ bytes }, signal, [bytes.buffer as ArrayBuffer]);
    },
    close: () => pool.close(),
  };
}

/**
 * Magika looks only at the first and last block_size bytes (then strips whitespace and keeps
 * beg_size/end_size of them), so for a large file those two blocks, concatenated, give the same
 * features as the whole file; smaller files are read whole. The result owns its ArrayBuffer, so
 * it can be moved to the worker without a copy.
 */
async function readHeadAndTail(filePath: string, blockSize: number): Promise<Uint8Array> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= 2 * blockSize) {
      const buf = new Uint8Array(size);
      const { bytesRead } = await handle.read(buf, 0, size, 0);
      return bytesRead === size ? buf : buf.slice(0, bytesRead);
    }
    const buf = new Uint8Array(2 * blockSize);
    await handle.read(buf, 0, blockSize, 0);
    await handle.read(buf, blockSize, blockSize, size - blockSize);
    return buf;
  } finally {
    await handle.close();
  }
}
