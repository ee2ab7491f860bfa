/**
 * Runs analyzers then engines over one file through the plugin host: the host picks the plugins
 * that accept it and applies deadlines; every unanswered engine becomes one of VT's categories, so
 * one bad plugin never fails an analysis.
 */
import type { Logger } from 'pino';
import type { Analyzer, FileInput } from '../core/plugin.js';
import type { EngineResult } from '../core/verdict.js';
import { inOrderOf, outcomeText, unansweredResult } from './engine-results.js';
import type { PluginHost } from './plugin-host.js';

export interface FilePipelineOutput {
  results: EngineResult[];
  attributes: Record<string, unknown>;
  tags: string[];
}

export interface FilePipelineDeps {
  host: PluginHost;
  logger: Logger;
}

export class FilePipeline {
  constructor(private readonly deps: FilePipelineDeps) {}

  async run(input: FileInput, signal: AbortSignal): Promise<FilePipelineOutput> {
    const attributes: Record<string, unknown> = {};
    const tags = new Set<string>();
    await this.runAnalyzers(input, signal, attributes, tags);
    const typeTag = typeof attributes.type_tag === 'string' ? attributes.type_tag : undefined;
    // Engines run after the analyzers and see their attributes (pe_info, ...), so heuristic engines judge parsed facts.
    const typed: FileInput = { ...input, typeTag, attributes };
    const { host, logger } = this.deps;
    const engines = await host.current('engine');
    const route = host.route(engines, { kind: 'file', size: input.size, typeTag });
    for (const { plugin, detail } of route.down) logger.warn({ engine: plugin.manifest.name, sha256: input.sha256, detail }, 'engine is down; recording failure');
    const results = await Promise.all([
      ...route.run.map(async (engine): Promise<EngineResult> => {
        const outcome = await host.call('engine', engine, (s) => engine.scan(typed, s), signal);
        if (outcome.kind === 'ok') {
          const v = outcome.value;
          if (v.attributes) mergeAttributes(attributes, v.attributes);
          return { engine_name: engine.manifest.name, category: v.category, result: v.result, method: v.method, engine_version: v.engineVersion, engine_update: v.engineUpdate };
        }
        logger.warn({ engine: engine.manifest.name, sha256: input.sha256, outcome: outcome.kind, err: outcomeText(outcome) }, outcome.kind === 'timeout' ? 'engine timed out' : 'engine failed');
        return unansweredResult('engine', engine, host.readiness(engine), outcome.kind === 'timeout' ? 'timeout' : 'failure');
      }),
      ...route.refused.map(async (engine) => unansweredResult('engine', engine, host.readiness(engine), 'type-unsupported')),
      ...route.down.map(async ({ plugin }) => unansweredResult('engine', plugin, host.readiness(plugin), 'failure')),
    ]);
    return { results: inOrderOf(engines, results), attributes, tags: [...tags].sort() };
  }

  private async runAnalyzers(input: FileInput, signal: AbortSignal, attributes: Record<string, unknown>, tags: Set<string>): Promise<void> {
    const { host } = this.deps;
    const analyzers = await host.current('analyzer');
    // Analyzers that take any type run first (the filetype analyzer finds type_tag); those that
    // declare types then run only on files of those types, so a PE parser never reads a PDF.
    // A refused size or type means the analyzer has nothing to say about this file.
    const untyped = host.route(analyzers.filter((a) => !a.manifest.accepts.typeTags), { kind: 'file', size: input.size });
    await this.runAnalyzerSet(untyped.run, input, signal, attributes, tags);
    const typeTag = typeof attributes.type_tag === 'string' ? attributes.type_tag : undefined;
    if (typeTag === undefined) return;
    const typed = host.route(analyzers.filter((a) => a.manifest.accepts.typeTags), { kind: 'file', size: input.size, typeTag });
    await this.runAnalyzerSet(typed.run, { ...input, typeTag }, signal, attributes, tags);
  }

  private async runAnalyzerSet(run: readonly Analyzer[], input: FileInput, signal: AbortSignal, attributes: Record<string, unknown>, tags: Set<string>): Promise<void> {
    const { host, logger } = this.deps;
    const outcomes = await Promise.all(run.map(async (analyzer) => ({ analyzer, outcome: await host.call('analyzer', analyzer, (s) => analyzer.analyze(input, s), signal) })));
    for (const { analyzer, outcome } of outcomes) {
      if (outcome.kind === 'ok') {
        Object.assign(attributes, outcome.value.attributes);
        for (const tag of outcome.value.tags ?? []) tags.add(tag);
      } else {
        logger.warn({ analyzer: analyzer.manifest.name, sha256: input.sha256, outcome: outcome.kind, err: outcomeText(outcome) }, 'analyzer produced no attributes');
      }
    }
  }
}

/** Engines may each contribute to list attributes such as crowdsourced_yara_results. */
function mergeAttributes(target: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(extra)) {
    const current = target[key];
    target[key] = Array.isArray(current) && Array.isArray(value) ? [...current, ...value] : value;
  }
}
