/**
 * Runs the URL engines over one URL with per-engine deadlines, turning a throw into `failure` and
 * a deadline into `timeout`, so one bad engine never fails a URL analysis.
 */
import type { Logger } from 'pino';
import { PluginError, type UrlEngine, type UrlInput } from '../core/plugin.js';
import type { EngineResult } from '../core/verdict.js';
import { runWithDeadline } from './run-with-deadline.js';

export async function runUrlEngines(engines: readonly UrlEngine[], input: UrlInput, signal: AbortSignal, logger: Logger): Promise<EngineResult[]> {
  const ready = engines.filter((e) => e.manifest.accepts.kinds.includes('url') && e.status().ready);
  return Promise.all(
    ready.map(async (engine): Promise<EngineResult> => {
      const { manifest } = engine;
      const outcome = await runWithDeadline((s) => engine.scanUrl(input, s), manifest.timeoutMs, signal);
      if (outcome.kind === 'ok') {
        const v = outcome.value;
        return {
          engine_name: manifest.name,
          category: v.category,
          result: v.result,
          method: v.method,
          engine_version: null,
          engine_update: v.engineUpdate ?? engine.status().engineUpdate ?? null,
        };
      }
      const error = outcome.kind === 'error' ? outcome.error : undefined;
      logger.warn(
        { engine: manifest.name, url: input.canonicalUrl, outcome: outcome.kind, err: error instanceof PluginError ? `${error.flag}: ${error.message}` : String(error ?? '') },
        outcome.kind === 'timeout' ? 'URL engine timed out' : 'URL engine failed',
      );
      return {
        engine_name: manifest.name,
        category: outcome.kind === 'timeout' ? 'timeout' : 'failure',
        result: null,
        method: 'blacklist',
        engine_version: null,
        engine_update: engine.status().engineUpdate ?? null,
      };
    }),
  );
}
