/**
 * The `exiftool` analyzer: VirusTotal's `exiftool` attribute, the tags ExifTool reads from any file
 * (tag name -> value as ExifTool prints it), through one long-lived `exiftool -stay_open` process
 * managed by exiftool-vendored. Tags that only restate the file system are dropped, as VT does.
 */
import { ExifTool } from 'exiftool-vendored';
import { VtReadTask } from './vt-read-task.js';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { vtExiftoolAttribute } from './vt-exiftool-tags.js';

export interface ExiftoolAnalyzerOptions {
  logger: Logger;
  /** The exiftool script to run; default the one exiftool-vendored ships (tests also run Debian's). */
  exiftoolPath?: string;
  /** Concurrent exiftool processes (1–2: each is a Perl interpreter of ~30 MB). */
  maxProcs?: number;
  /** One file's deadline inside exiftool; past it the process is killed and replaced. */
  taskTimeoutMs?: number;
  /** Larger files are skipped (ExifTool reads most formats' headers only, but some scan whole files). */
  maxBytes?: number;
}

export const DEFAULT_EXIFTOOL_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_TASK_TIMEOUT_MS = 20_000;

export function createExiftoolAnalyzer(options: ExiftoolAnalyzerOptions): Analyzer {
  const { logger } = options;
  const taskTimeoutMs = options.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  /** exiftool-vendored's timeout and one retry, then ours. */
  const deadlineMs = taskTimeoutMs * 2 + 1_000;
  let exiftool: ExifTool | undefined;
  let readiness: Readiness = { ready: false, detail: 'not started' };

  const manifest: PluginManifest = {
    name: 'exiftool',
    version: '1.0.0',
    description: 'File metadata read by ExifTool (the exiftool attribute)',
    accepts: { kinds: ['file'], maxBytes: options.maxBytes ?? DEFAULT_EXIFTOOL_MAX_BYTES },
    // Room for one retry by exiftool-vendored after a killed process, and our own deadline.
    timeoutMs: taskTimeoutMs * 2 + 5_000,
    needsNetwork: false,
  };

  const spawn = () =>
    new ExifTool({
      maxProcs: Math.min(2, Math.max(1, options.maxProcs ?? 1)),
      taskTimeoutMillis: taskTimeoutMs,
      taskRetries: 1,
      // Our own tags only: no MWG composites, no geolocation look-ups, every value printed.
      useMWG: false,
      numericTags: [],
      geolocation: false,
      ...(options.exiftoolPath ? { exiftoolPath: options.exiftoolPath } : {}),
    });

  /**
   * One read, bounded by our own deadline as well as exiftool-vendored's: a process that stops
   * answering (seen with a stalled exiftool) would otherwise hold every later file. Past the
   * deadline or on abort the processes are killed and a fresh ExifTool takes over.
   */
  async function read(file: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    const current = exiftool!;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`exiftool gave no answer within ${deadlineMs} ms`)), deadlineMs);
      onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([current.enqueueTask(() => new VtReadTask(file)), stop]);
    } catch (error) {
      if (exiftool === current && !idle(current)) {
        exiftool = spawn();
        void current.end(false).catch(() => undefined);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort!);
    }
  }

  return {
    manifest,

    async start(): Promise<Readiness> {
      if (readiness.ready) return readiness;
      try {
        exiftool = spawn();
        const version = await exiftool.version();
        readiness = { ready: true, detail: `ExifTool ${version} (-stay_open)`, engineVersion: version };
      } catch (error) {
        await exiftool?.end().catch(() => undefined);
        exiftool = undefined;
        readiness = { ready: false, detail: `exiftool did not start: ${(error as Error).message}` };
      }
      return readiness;
    },

    status: () => readiness,

    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      if (!exiftool || !readiness.ready) throw new PluginError('not_ready', readiness.detail ?? 'exiftool analyzer not started');
      if (signal.aborted) throw signal.reason;
      let raw: Record<string, unknown>;
      try {
        raw = await read(input.path, signal);
      } catch (error) {
        // A file ExifTool chokes on (a crash, a timeout, output it cannot print) gives no attribute.
        logger.info({ sha256: input.sha256, reason: (error as Error).message }, 'exiftool could not read the file');
        return { attributes: {} };
      }
      const { tags, error, warning } = vtExiftoolAttribute(raw);
      if (warning) logger.debug({ sha256: input.sha256, warning }, 'exiftool warning');
      if (error !== undefined || Object.keys(tags).length === 0) {
        logger.info({ sha256: input.sha256, reason: error ?? 'no tags' }, 'exiftool found nothing to report');
        return { attributes: {} };
      }
      return { attributes: { exiftool: tags } };
    },

    async close(): Promise<void> {
      readiness = { ready: false, detail: 'closed' };
      const running = exiftool;
      exiftool = undefined;
      await running?.end();
    },
  };
}

/** No task queued or running: a read that failed on its own (an unreadable file) needs no restart. */
const idle = (instance: ExifTool): boolean => instance.pendingTasks === 0 && instance.busyProcs === 0;
