/**
 * The shape every Assay heuristic engine shares: a manifest, readiness, and a `detect` function
 * that returns signal hits, judged into a VT verdict by signal.ts's rule.
 */
import type { Engine, EngineVerdict, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { judge, type Hit, type Judgement } from './signal.js';

export interface HeuristicEngineSpec {
  manifest: PluginManifest;
  /** Result prefix, e.g. `Assay.PE`. */
  prefix: string;
  /** The date the signals were last changed (VT's engine_update, YYYYMMDD). */
  rulesDate: string;
  /** Signals found in one file. Reads only `input` (attributes, names, and at most a bounded head of the file). */
  detect(input: FileInput, signal: AbortSignal): Promise<Hit[]>;
}

/** Attributes read by engines are attacker-influenced data: a wrong shape is treated as absent. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The engine's judgement of one file, for the bench (which wants the signals behind a verdict). */
export async function judgeFile(spec: HeuristicEngineSpec, input: FileInput, signal: AbortSignal): Promise<Judgement> {
  return judge(spec.prefix, await spec.detect(input, signal));
}

export function createHeuristicEngine(spec: HeuristicEngineSpec): Engine & { judgeFile(input: FileInput, signal: AbortSignal): Promise<Judgement> } {
  let readiness: Readiness = { ready: false, detail: 'not started' };
  const version = spec.manifest.version;
  return {
    manifest: spec.manifest,
    async start() {
      readiness = { ready: true, detail: 'in-process heuristics over the analyzers\' attributes', engineVersion: version, signatureVersion: spec.rulesDate, engineUpdate: spec.rulesDate };
      return readiness;
    },
    status: () => readiness,
    judgeFile: (input, signal) => judgeFile(spec, input, signal),
    async scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict> {
      signal.throwIfAborted();
      const verdict = await judgeFile(spec, input, signal);
      signal.throwIfAborted();
      return { category: verdict.category, result: verdict.result, method: 'heuristic', engineVersion: version, engineUpdate: spec.rulesDate };
    },
    async close() {
      readiness = { ready: false, detail: 'closed' };
    },
  };
}
