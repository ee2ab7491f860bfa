/** Verdict categories as VirusTotal names them, and the aggregation of engine results into stats. */

export const verdictCategories = [
  'harmless',
  'malicious',
  'suspicious',
  'undetected',
  'timeout',
  'confirmed-timeout',
  'failure',
  'type-unsupported',
] as const;

export type VerdictCategory = (typeof verdictCategories)[number];

export type AnalysisStats = Record<VerdictCategory, number>;

/** One engine's verdict on one item, as stored and as rendered in last_analysis_results. */
export interface EngineResult {
  engine_name: string;
  category: VerdictCategory;
  result: string | null;
  method: string;
  engine_version: string | null;
  engine_update: string | null;
}

export function emptyStats(): AnalysisStats {
  return Object.fromEntries(verdictCategories.map((c) => [c, 0])) as AnalysisStats;
}

export function statsOf(results: readonly EngineResult[]): AnalysisStats {
  const stats = emptyStats();
  for (const r of results) stats[r.category] += 1;
  return stats;
}

/** VT renders results as a map keyed by engine; storage keeps an array so no key grows unbounded. */
export function resultsByEngine(results: readonly EngineResult[]): Record<string, EngineResult> {
  return Object.fromEntries(results.map((r) => [r.engine_name, r]));
}
