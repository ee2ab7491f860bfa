/**
 * The `pdf` analyzer: VirusTotal's `pdf_info` attribute (pdfid's keyword counts and the page
 * count, with extracted JavaScript, URIs, launch targets and embedded files added) and the PDF
 * tags (js-embedded, autoaction, launch-action, ...), computed in worker threads. `extractChildren`
 * gives the embedded files, for the pipeline to store and analyse as children.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { ThreadPool, workerEntry } from '../../threads/thread-pool.js';
import { DEFAULT_PDF_LIMITS, type PdfLimits } from './pdf-limits.js';
import type { PdfRequest, PdfResult } from './pdf-worker.js';

export interface PdfAnalyzerOptions {
  logger: Logger;
  /** Parsing threads; default min(2, cores). */
  threads?: number;
  limits?: Partial<PdfLimits>;
}

export interface PdfChild {
  /** The name the PDF's file specification gives (last path component only), or `embedded-<object>`. */
  name: string;
  bytes: Buffer;
}

export interface PdfAnalyzer extends Analyzer {
  /** The files embedded in a PDF (/EmbeddedFile streams, decoded), within the analyzer's bounds. */
  extractChildren(input: FileInput, signal: AbortSignal): Promise<PdfChild[]>;
}

export function createPdfAnalyzer(options: PdfAnalyzerOptions): PdfAnalyzer {
  const { logger } = options;
  const limits: PdfLimits = { ...DEFAULT_PDF_LIMITS, ...options.limits };
  const threads = options.threads ?? Math.min(2, availableParallelism());
  let pool: ThreadPool<PdfRequest, PdfResult> | undefined;
  let readiness: Readiness = { ready: false, detail: 'not started' };

  const manifest: PluginManifest = {
    name: 'pdf',
    version: '1.0.0',
    description: 'PDF structure (pdf_info: pdfid keyword counts, pages), JavaScript, URIs, launch actions and embedded files',
    accepts: { kinds: ['file'], maxBytes: limits.maxFileBytes, typeTags: ['pdf'] },
    // The parser stops itself at limits.maxMillis; this leaves room for a queue and a busy machine.
    timeoutMs: limits.maxMillis * 3,
    needsNetwork: false,
  };

  async function run(input: FileInput, signal: AbortSignal, withChildren: boolean) {
    if (!pool || !readiness.ready) throw new PluginError('not_ready', readiness.detail ?? 'pdf analyzer not started');
    if (signal.aborted) throw signal.reason;
    const result = await pool.run({ path: path.resolve(input.path), limits, withChildren }, signal);
    if (result.kind === 'unreadable') throw new PluginError('file_unreadable', result.message);
    if (result.kind === 'too_large') throw new PluginError('file_too_large', `${result.size} bytes is above the PDF analyzer's ${limits.maxFileBytes}`);
    return result;
  }

  return {
    manifest,

    async start(): Promise<Readiness> {
      if (readiness.ready) return readiness;
      try {
        pool = await ThreadPool.create<PdfRequest, PdfResult>({
          name: 'pdf parsing',
          entry: workerEntry(import.meta.url, 'pdf-worker'),
          size: threads,
          logger,
          onAbortRunning: 'terminate',
        });
      } catch (err) {
        readiness = { ready: false, detail: `pdf workers did not start: ${(err as Error).message}` };
        logger.error({ detail: readiness.detail }, 'pdf analyzer not ready');
        return readiness;
      }
      readiness = { ready: true, detail: `in-process parser in ${threads} worker thread(s)`, engineVersion: manifest.version };
      return readiness;
    },

    status: () => readiness,

    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      const result = await run(input, signal, false);
      const hit = result.pdfInfo.limits_hit as string[];
      if (hit.length > 0) logger.info({ sha256: input.sha256, limits: hit }, 'pdf analysis reached a bound');
      return { attributes: { pdf_info: result.pdfInfo }, tags: result.tags };
    },

    async extractChildren(input: FileInput, signal: AbortSignal): Promise<PdfChild[]> {
      const result = await run(input, signal, true);
      return result.children.map((c) => ({ name: c.name, bytes: Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength) }));
    },

    async close(): Promise<void> {
      readiness = { ready: false, detail: 'closed' };
      const closing = pool;
      pool = undefined;
      await closing?.close();
    },
  };
}
