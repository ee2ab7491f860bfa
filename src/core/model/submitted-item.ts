/** What files and URLs have alike: submissions, attributes, tags and their latest completed analysis. */
import type { AnalysisStats, EngineResult } from '../verdict.js';

export interface SubmittedItem {
  timesSubmitted: number;
  /** Unix seconds. */
  firstSubmissionDate: number;
  lastSubmissionDate: number;
  /** Files: analyzer attributes merged over time (magic, ssdeep, type_*...). URLs: the latest fetch's (title, redirection_chain...). */
  attributes: Record<string, unknown>;
  tags: string[];
  lastAnalysisId: string | null;
  lastAnalysisDate: number | null;
  lastAnalysisResults: EngineResult[] | null;
  lastAnalysisStats: AnalysisStats | null;
}
