/**
 * Runs analyzers then engines over one file: picks the plugins that accept it, applies per-plugin
 * deadlines, and turns every failure into VT's categories so one bad plugin never fails an analysis.
 */
import type { Logger } from 'pino';
import type { Analyzer, Engine, FileInput } from '../core/plugin.js';
import { PluginError } from '../core/plugin.js';
import type { EngineResult } from '../core/verdict.js';
import { runWithDeadline } from './run-with-deadline.js';

export interface FilePipelineOutput {
  results: EngineResult[];
  attributes: Record<string, unknown>;
  tags: string[];
}

export interface FilePipelineDeps {
  engines: readonly Engine[];
  analyzers: readonly Analyzer[];
  logger: Logger;
}

export class FilePipeline {
  constructor(private readonly deps: FilePipelineDeps) {}

  async run(input: FileInput, signal: AbortSignal): Promise<FilePipelineOutput> {
    const attributes: Record<string, unknown> = {};
    const tags = new Set<string>();
    await this.runAnalyzers(input, signal, attributes, tags);
    const typeTag = typeof attributes.type_tag === 'string' ? attributes.type_tag : undefined;
    const typed: FileInput = { ...input, typeTag, attributes };
    const results = await Promise.all(
      this.deps.engines
        .filter((engine) => engine.manifest.accepts.kinds.includes('file'))
        // A not-ready engine is reported by `assay engines` and /metadata, and left out of results;
        // one that is down (configured, but e.g. its daemon restarting) is a `failure` instead.
        .filter((engine) => engine.status().ready || engine.status().down === true)
        .map((engine) => this.runEngine(engine, typed, signal, attributes)),
    );
    return { results, attributes, tags: [...tags].sort() };
  }

  private async runAnalyzers(
    input: FileInput,
    signal: AbortSignal,
    attributes: Record<string, unknown>,
    tags: Set<string>,
  ): Promise<void> {
    const runnable = this.deps.analyzers.filter(
      (a) => a.status().ready && a.manifest.accepts.kinds.includes('file') && accepts(a.manifest.accepts.maxBytes, input.size),
    );
    // Analyzers that take any type run first (the filetype analyzer finds type_tag); those that
    // declare types then run only on files of those types, so a PE parser never reads a PDF.
    await this.runAnalyzerSet(runnable.filter((a) => !a.manifest.accepts.typeTags), input, signal, attributes, tags);
    const typeTag = typeof attributes.type_tag === 'string' ? attributes.type_tag : undefined;
    const typed = runnable.filter((a) => typeTag !== undefined && a.manifest.accepts.typeTags?.includes(typeTag));
    await this.runAnalyzerSet(typed, { ...input, typeTag }, signal, attributes, tags);
  }

  private async runAnalyzerSet(
    runnable: readonly Analyzer[],
    input: FileInput,
    signal: AbortSignal,
    attributes: Record<string, unknown>,
    tags: Set<string>,
  ): Promise<void> {
    const outcomes = await Promise.all(
      runnable.map(async (analyzer) => ({
        analyzer,
        outcome: await runWithDeadline((s) => analyzer.analyze(input, s), analyzer.manifest.timeoutMs, signal),
      })),
    );
    for (const { analyzer, outcome } of outcomes) {
      if (outcome.kind === 'ok') {
        Object.assign(attributes, outcome.value.attributes);
        for (const tag of outcome.value.tags ?? []) tags.add(tag);
      } else {
        this.deps.logger.warn(
          { analyzer: analyzer.manifest.name, sha256: input.sha256, outcome: outcome.kind, err: describe(outcome) },
          'analyzer produced no attributes',
        );
      }
    }
  }

  private async runEngine(
    engine: Engine,
    input: FileInput,
    signal: AbortSignal,
    attributes: Record<string, unknown>,
  ): Promise<EngineResult> {
    const { manifest } = engine;
    const readiness = engine.status();
    const base = {
      engine_name: manifest.name,
      engine_version: readiness.engineVersion ?? manifest.version,
      engine_update: readiness.engineUpdate ?? null,
    };
    if (!readiness.ready) {
      this.deps.logger.warn({ engine: manifest.name, sha256: input.sha256, err: readiness.detail }, 'engine is down');
      return { ...base, category: 'failure', result: null, method: 'blacklist' };
    }
    const typeRefused = manifest.accepts.typeTags && (!input.typeTag || !manifest.accepts.typeTags.includes(input.typeTag));
    if (!accepts(manifest.accepts.maxBytes, input.size) || typeRefused) {
      return { ...base, category: 'type-unsupported', result: null, method: 'blacklist' };
    }
    const outcome = await runWithDeadline((s) => engine.scan(input, s), manifest.timeoutMs, signal);
    if (outcome.kind === 'ok') {
      const v = outcome.value;
      if (v.attributes) mergeAttributes(attributes, v.attributes);
      return {
        engine_name: manifest.name,
        category: v.category,
        result: v.result,
        method: v.method,
        engine_version: v.engineVersion,
        engine_update: v.engineUpdate,
      };
    }
    this.deps.logger.warn(
      { engine: manifest.name, sha256: input.sha256, outcome: outcome.kind, err: describe(outcome) },
      outcome.kind === 'timeout' ? 'engine timed out' : 'engine failed',
    );
    return { ...base, category: outcome.kind === 'timeout' ? 'timeout' : 'failure', result: null, method: 'blacklist' };
  }
}

function accepts(maxBytes: number | undefined, size: number): boolean {
  return maxBytes === undefined || size <= maxBytes;
}

/** Engines may each contribute to list attributes such as crowdsourced_yara_results. */
function mergeAttributes(target: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(extra)) {
    const current = target[key];
    target[key] = Array.isArray(current) && Array.isArray(value) ? [...current, ...value] : value;
  }
}

function describe(outcome: { kind: string; error?: unknown }): string | undefined {
  if (!('error' in outcome)) return undefined;
  const e = outcome.error;
  if (e instanceof PluginError) return `${e.flag}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
