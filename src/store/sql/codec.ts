/** Small translations between SQL rows and records that both dialects share: JSON text, row counts, constraint errors. */
import type { AnalysisStats, EngineResult } from '../../core/verdict.js';
import type { SubmittedItemColumns } from './schema.js';

export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function fromJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : fromJson<T>(text);
}

/** Rows changed by an UPDATE; Kysely reports a bigint, and both drivers fill it in. */
export function affectedRows(result: { numUpdatedRows: bigint } | undefined): number {
  return Number(result?.numUpdatedRows ?? 0n);
}

/** True for a primary-key or unique violation in either dialect, so callers can report "already exists". */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** The columns files and URLs share (submissions, attributes, tags, the last analysis), as their records name them. */
export function submittedItemFields(row: SubmittedItemColumns) {
  return {
    timesSubmitted: row.times_submitted,
    firstSubmissionDate: row.first_submission_date,
    lastSubmissionDate: row.last_submission_date,
    attributes: fromJson<Record<string, unknown>>(row.attributes),
    tags: fromJson<string[]>(row.tags),
    lastAnalysisId: row.last_analysis_id,
    lastAnalysisDate: row.last_analysis_date,
    lastAnalysisResults: fromJsonOrNull<EngineResult[]>(row.last_analysis_results),
    lastAnalysisStats: fromJsonOrNull<AnalysisStats>(row.last_analysis_stats),
  };
}

/** The shared columns of a file or URL row on its first submission: counted once, nothing analysed yet. */
export function firstSubmissionColumns(at: number): SubmittedItemColumns {
  return {
    times_submitted: 1,
    first_submission_date: at,
    last_submission_date: at,
    attributes: '{}',
    tags: '[]',
    last_analysis_id: null,
    last_analysis_date: null,
    last_analysis_results: null,
    last_analysis_stats: null,
  };
}
