/**
 * The `pe` analyzer: VirusTotal's `pe_info`, `packers`, `signature_info`, `authentihash` and
 * `dot_net_assembly` for Windows executables, parsed in-process (analyze-pe.ts) in worker threads.
 * Its manifest takes only the PE type tags the filetype analyzer gives.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { ThreadPool, workerEntry } from '../../threads/thread-pool.js';
import { DEFAULT_PE_LIMITS, type PeLimits } from './pe-limits.js';
import type { PeRequest, PeResult } from './pe-worker.js';

export interface PeAnalyzerOptions {
  logger: Logger;
  limits?: Partial<PeLimits>;
  /** Parsing threads; default min(2, cores). */
  threads?: number;
}

/** The VT type tags (vt-type-table.ts) of files this analyzer reads. */
export const PE_TYPE_TAGS = ['peexe', 'pedll'];

export function createPeAnalyzer(options: PeAnalyzerOptions): Analyzer {
  const { logger } = options;
  const limits: PeLimits = { ...DEFAULT_PE_LIMITS, ...options.limits };
  const threads = options.threads ?? Math.min(2, availableParallelism());
  let pool: ThreadPool<PeRequest, PeResult> | undefined;

  const manifest: PluginManifest = {
    name: 'pe',
    version: '1.0.0',
    description: 'PE headers, sections, imports, exports, resources, overlay, Rich header, Authenticode, .NET metadata and packer rules (pe_info, signature_info, packers)',
    accepts: { kinds: ['file'], maxBytes: limits.maxFileBytes, typeTags: PE_TYPE_TAGS },
    // The parser's own budget plus reading and hashing the largest file accepted.
    timeoutMs: limits.timeBudgetMs + 30_000,
    needsNetwork: false,
  };

  return {
    manifest,

    async start(): Promise<Readiness> {
      try {
        pool = await ThreadPool.create<PeRequest, PeResult>({
          name: 'pe parsing',
          entry: workerEntry(import.meta.url, 'pe-worker'),
          size: threads,
          logger,
          onAbortRunning: 'terminate',
        });
      } catch (err) {
        return { ready: false, detail: `pe parsing workers did not start: ${(err as Error).message}` };
      }
      return { ready: true, detail: `in-process PE parser in ${threads} worker thread(s)`, engineVersion: manifest.version };
    },

    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      // The host calls only a started analyzer; a direct caller learns why nothing came back.
      if (!pool) throw new PluginError('not_ready', 'pe analyzer not started or closed');
      if (signal.aborted) throw signal.reason;
      const result = await pool.run({ path: path.resolve(input.path), limits }, signal);
      if (result.kind === 'unreadable') throw new PluginError('file_unreadable', result.message);
      if (result.kind === 'not-pe') {
        // Tagged as PE by libmagic but not parseable (truncated, damaged): nothing to add.
        logger.debug({ sha256: input.sha256, reason: result.message }, 'pe analyzer: not a parseable PE');
        return { attributes: {} };
      }
      const { analysis } = result;
      if (analysis.warnings.length > 0) logger.debug({ sha256: input.sha256, warnings: analysis.warnings.slice(0, 20) }, 'pe analyzer: parts skipped');
      return { attributes: { ...analysis.attributes }, tags: analysis.tags };
    },

    async close(): Promise<void> {
      const closing = pool;
      pool = undefined;
      await closing?.close();
    },
  };
}
