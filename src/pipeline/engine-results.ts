/**
 * The one builder of last_analysis_results entries for engines that gave no verdict: `failure`
 * (a throw, an engine that went down, an abandoned analysis), `timeout`, `type-unsupported`.
 */
import type { Plugin, Readiness } from '../core/plugin.js';
import type { EngineResult } from '../core/verdict.js';

export type Unanswered = Extract<EngineResult['category'], 'failure' | 'timeout' | 'type-unsupported'>;

/**
 * File engines report their engine version (or the plugin's); URL engines have none in VT's
 * results. engine_update is the date the engine's readiness gives, so a failed entry still says how old its data is.
 */
export function unansweredResult(kind: 'engine' | 'url-engine', plugin: Plugin, readiness: Readiness, category: Unanswered): EngineResult {
  return {
    engine_name: plugin.manifest.name,
    category,
    result: null,
    method: 'blacklist',
    engine_version: kind === 'engine' ? (readiness.engineVersion ?? plugin.manifest.version) : null,
    engine_update: readiness.engineUpdate ?? null,
  };
}

/** Results in the order the engines are registered, whatever became of each. */
export function inOrderOf(engines: ReadonlyArray<{ manifest: { name: string } }>, results: EngineResult[]): EngineResult[] {
  const position = new Map(engines.map((e, i) => [e.manifest.name, i]));
  return results.sort((a, b) => (position.get(a.engine_name) ?? 0) - (position.get(b.engine_name) ?? 0));
}

/** A call outcome other than ok, for the log. */
export function outcomeText(outcome: { kind: string; flag?: string; message?: string; detail?: string }): string | undefined {
  if (outcome.kind === 'failure') return `${outcome.flag}: ${outcome.message}`;
  return outcome.message ?? outcome.detail;
}
