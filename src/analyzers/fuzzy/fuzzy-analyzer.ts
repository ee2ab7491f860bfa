/**
 * The `fuzzy` analyzer: VirusTotal's `ssdeep` and `tlsh` attributes, computed in worker threads
 * (ssdeep-digest.ts, tlsh-digest.ts) with the same digests as Debian's `ssdeep -s -b` and
 * `tlsh -f`. It used to run those tools, a child process each per file, and fork() of the big
 * server process stalled the event loop for tens of milliseconds every time.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { ThreadPool, workerEntry } from '../../threads/thread-pool.js';
import type { FuzzyHashRequest, FuzzyHashResult } from './fuzzy-hash-worker.js';
import { SSDEEP_REFERENCE_VERSION } from './ssdeep-digest.js';
import { TLSH_JS_VERSION } from './tlsh-digest.js';

export interface FuzzyAnalyzerOptions {
  logger: Logger;
  /**
   * Largest file given a TLSH: it needs the whole file in memory (one buffer per hashing thread).
   * Both digests run at roughly 40–100 MB/s per thread; ssdeep streams and has no limit.
   */
  tlshMaxBytes?: number;
  /** Hashing threads; default min(2, cores), as for YARA. */
  hashThreads?: number;
}

export const DEFAULT_TLSH_MAX_BYTES = 256 * 1024 * 1024;
/** ssdeep alone on a few hundred MB, or TLSH at its limit, on a busy machine. */
const TIMEOUT_MS = 120_000;

export function createFuzzyAnalyzer(options: FuzzyAnalyzerOptions): Analyzer {
  const { logger } = options;
  const tlshMaxBytes = options.tlshMaxBytes ?? DEFAULT_TLSH_MAX_BYTES;
  const threads = options.hashThreads ?? Math.min(2, availableParallelism());
  let pool: ThreadPool<FuzzyHashRequest, FuzzyHashResult> | undefined;

  const manifest: PluginManifest = {
    name: 'fuzzy',
    version: '3.0.0',
    description: 'ssdeep and TLSH similarity digests, in-process (equal to Debian ssdeep and tlsh-tools)',
    accepts: { kinds: ['file'] },
    timeoutMs: TIMEOUT_MS,
    needsNetwork: false,
  };

  return {
    manifest,

    async start(): Promise<Readiness> {
      try {
        // Each worker checks both digests against known values before it takes files.
        pool = await ThreadPool.create<FuzzyHashRequest, FuzzyHashResult>({
          name: 'fuzzy hashing',
          entry: workerEntry(import.meta.url, 'fuzzy-hash-worker'),
          size: threads,
          logger,
          // Stopping the thread is the only way to cut a TLSH of a large file short.
          onAbortRunning: 'terminate',
        });
      } catch (err) {
        return { ready: false, detail: `fuzzy hashing workers did not start: ${(err as Error).message}` };
      }
      const versions = `ssdeep ${SSDEEP_REFERENCE_VERSION} (in-process); tlsh.js ${TLSH_JS_VERSION}`;
      return {
        ready: true,
        detail: `${versions} in ${threads} worker thread(s); tlsh for files up to ${Math.round(tlshMaxBytes / 2 ** 20)} MiB`,
        engineVersion: versions,
      };
    },

    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      // The host calls only a started analyzer; a direct caller learns why nothing came back.
      if (!pool) throw new PluginError('not_ready', 'fuzzy analyzer not started or closed');
      if (signal.aborted) throw signal.reason;
      const result = await pool.run({ path: path.resolve(input.path), tlshMaxBytes }, signal);
      if (result.kind === 'unreadable') throw new PluginError('file_unreadable', result.message);
      const attributes: Record<string, unknown> = { ssdeep: result.ssdeep };
      if (result.tlsh) attributes.tlsh = result.tlsh;
      else if (result.tlsh === null) logger.debug({ sha256: input.sha256, bytes: result.size }, 'tlsh gives no digest for this file (too small or too uniform)');
      else logger.debug({ sha256: input.sha256, bytes: result.size, tlshMaxBytes }, 'file too large for tlsh');
      return { attributes };
    },

    async close(): Promise<void> {
      const closing = pool;
      pool = undefined;
      await closing?.close();
    },
  };
}
