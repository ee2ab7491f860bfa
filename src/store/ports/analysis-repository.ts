/** Storage port for analyses: creating them, and completing them together with their file or URL. */
import type { Analysis, AnalysisItemType } from '../../core/model/analysis.js';
import type { Page } from '../../core/model/page.js';
import type { AnalysisStats, EngineResult } from '../../core/verdict.js';

export interface FileAnalysisOutcome {
  analysisId: string;
  sha256: string;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Attributes to merge into the file object (later keys replace earlier ones). */
  attributes: Record<string, unknown>;
  tags: string[];
  /** Unix seconds. */
  at: number;
}

export interface UrlAnalysisOutcome {
  analysisId: string;
  urlId: string;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Replaces the URL's attributes from the previous analysis (a fetch describes one moment). */
  attributes: Record<string, unknown>;
  tags: string[];
  at: number;
}

export interface AnalysisRepository {
  create(analysis: { id: string; itemType: AnalysisItemType; itemId: string; date: number }): Promise<Analysis>;
  get(id: string): Promise<Analysis | undefined>;
  /** queued -> in-progress; no-op when already in progress or completed. */
  markInProgress(id: string): Promise<void>;
  /**
   * Atomically completes the analysis and updates the file's attributes and, for a public
   * analysis, its last_analysis_* (a private one stays with its owner: latestPrivate).
   * Returns false, changing nothing, when the analysis was already completed.
   */
  completeFileAnalysis(outcome: FileAnalysisOutcome): Promise<boolean>;
  /** The same for a URL analysis: completes it and updates the URL's last_analysis_*, attributes and tags. */
  completeUrlAnalysis(outcome: UrlAnalysisOutcome): Promise<boolean>;
  /** Analyses of one item, newest first. */
  listForItem(itemId: string, options: { limit: number; cursor?: string }): Promise<Page<Analysis>>;
  /** The newest completed analysis of the item made private to one of `owners`. */
  latestPrivate(itemId: string, owners: readonly string[]): Promise<Analysis | undefined>;
  /** Analyses not yet completed, oldest first (start-up reconciliation). */
  listUnfinished(limit: number): Promise<Analysis[]>;
}
