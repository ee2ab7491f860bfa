/**
 * The `office` analyzer: VirusTotal's `office_info` (OLE documents) and `openxml_info` (OOXML
 * packages) with VBA macros, DDE fields, XLM sheets and embedded objects, and the document tags
 * (`macros`, `auto-open`, `run-file`, ...). Parsing runs in worker threads (office-worker.ts).
 * `extractChildren` gives the embedded objects as files, for the pipeline to store and analyse.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { ThreadPool, workerEntry } from '../../threads/thread-pool.js';
import type { OfficeRequest, OfficeResult } from './office-worker.js';

export interface OfficeChild {
  /** The embedded file's own name (OLE Package label) or the last component of its part or storage path. */
  name: string;
  bytes: Buffer;
}

export interface OfficeAnalyzer extends Analyzer {
  /** Embedded objects: OLE Package payloads, embedded documents, embedded parts and ActiveX binaries. */
  extractChildren(input: FileInput, signal: AbortSignal): Promise<OfficeChild[]>;
}

export interface OfficeAnalyzerOptions {
  logger: Logger;
  /** Parsing threads; default 1 (documents are small and parsing is quick). */
  threads?: number;
  /** Largest file parsed; larger ones are skipped by the pipeline. */
  maxBytes?: number;
}

/** VT type tags (vt-type-table.ts) of OLE and OOXML documents. */
export const OFFICE_TYPE_TAGS = ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'outlook'];
export const DEFAULT_OFFICE_MAX_BYTES = 128 * 1024 * 1024;
const TIMEOUT_MS = 60_000;

export function createOfficeAnalyzer(options: OfficeAnalyzerOptions): OfficeAnalyzer {
  const { logger } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_OFFICE_MAX_BYTES;
  let pool: ThreadPool<OfficeRequest, OfficeResult> | undefined;

  const manifest: PluginManifest = {
    name: 'office',
    version: '1.0.0',
    description: 'OLE and OOXML documents: summary properties, streams, relationships, VBA macros (MS-OVBA) with olevba-style findings, DDE, XLM, embedded objects',
    accepts: { kinds: ['file'], maxBytes, typeTags: OFFICE_TYPE_TAGS },
    timeoutMs: TIMEOUT_MS,
    needsNetwork: false,
  };

  async function run(input: FileInput, signal: AbortSignal, withChildren: boolean): Promise<OfficeResult> {
    // The host calls only a started analyzer; a direct caller learns why nothing came back.
    if (!pool) throw new PluginError('not_ready', 'office analyzer not started or closed');
    if (signal.aborted) throw signal.reason;
    const result = await pool.run({ path: path.resolve(input.path), maxBytes, withChildren }, signal);
    if (result.kind === 'unreadable') throw new PluginError('file_unreadable', result.message);
    if (result.kind === 'too_large') throw new PluginError('file_too_large', `${result.size} bytes is above the office analyzer's ${maxBytes}`);
    if (result.kind === 'malformed') logger.debug({ sha256: input.sha256, message: result.message }, 'office document could not be parsed');
    return result;
  }

  return {
    manifest,

    async start(): Promise<Readiness> {
      try {
        pool = await ThreadPool.create<OfficeRequest, OfficeResult>({
          name: 'office parsing',
          entry: workerEntry(import.meta.url, 'office-worker'),
          size: options.threads ?? 1,
          logger,
          // A crafted document is cut off at the deadline by stopping its thread.
          onAbortRunning: 'terminate',
        });
      } catch (err) {
        return { ready: false, detail: `office parsing worker did not start: ${(err as Error).message}` };
      }
      return { ready: true, detail: `in-process OLE/OOXML parser in ${options.threads ?? 1} worker thread(s)`, engineVersion: manifest.version };
    },

    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      const result = await run(input, signal, false);
      if (result.kind !== 'analysis') return { attributes: {} };
      return { attributes: result.attributes, tags: result.tags };
    },

    async extractChildren(input: FileInput, signal: AbortSignal): Promise<OfficeChild[]> {
      const result = await run(input, signal, true);
      if (result.kind !== 'children') return [];
      return result.children.map((c) => ({ name: c.name, bytes: Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.byteLength) }));
    },

    async close(): Promise<void> {
      const closing = pool;
      pool = undefined;
      await closing?.close();
    },
  };
}
