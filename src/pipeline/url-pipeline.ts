/**
 * Runs the URL engines over one URL through the plugin host (per-engine deadlines; a throw is
 * `failure`, a deadline `timeout`), so one bad engine never fails a URL, domain or IP analysis.
 */
import type { Logger } from 'pino';
import type { UrlInput } from '../core/plugin.js';
import type { EngineResult } from '../core/verdict.js';
import { inOrderOf, outcomeText, unansweredResult } from './engine-results.js';
import type { PluginHost } from './plugin-host.js';

export async function runUrlEngines(host: PluginHost, input: UrlInput, signal: AbortSignal, logger: Logger): Promise<EngineResult[]> {
  const engines = await host.current('url-engine');
  const route = host.route(engines, { kind: 'url' });
  for (const { plugin, detail } of route.down) logger.warn({ engine: plugin.manifest.name, url: input.canonicalUrl, detail }, 'URL engine is down; recording failure');
  const results = await Promise.all([
    ...route.run.map(async (engine): Promise<EngineResult> => {
      const outcome = await host.call('url-engine', engine, (s) => engine.scanUrl(input, s), signal);
      if (outcome.kind === 'ok') {
        const v = outcome.value;
        return {
          engine_name: engine.manifest.name,
          category: v.category,
          result: v.result,
          method: v.method,
          engine_version: null,
          engine_update: v.engineUpdate ?? host.readiness(engine).engineUpdate ?? null,
        };
      }
      logger.warn({ engine: engine.manifest.name, url: input.canonicalUrl, outcome: outcome.kind, err: outcomeText(outcome) }, outcome.kind === 'timeout' ? 'URL engine timed out' : 'URL engine failed');
      return unansweredResult('url-engine', engine, host.readiness(engine), outcome.kind === 'timeout' ? 'timeout' : 'failure');
    }),
    // URL engines declare no sizes or types; one that did would refuse every URL alike.
    ...route.refused.map(async (engine) => unansweredResult('url-engine', engine, host.readiness(engine), 'type-unsupported')),
    ...route.down.map(async ({ plugin }) => unansweredResult('url-engine', plugin, host.readiness(plugin), 'failure')),
  ]);
  return inOrderOf(engines, results);
}
