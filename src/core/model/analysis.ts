/** An analysis of a file or URL: its status and the engines' results. */
import type { AnalysisStats, EngineResult } from '../verdict.js';

export type AnalysisStatus = 'queued' | 'in-progress' | 'completed';

export type AnalysisItemType = 'file' | 'url';

export interface Analysis {
  id: string;
  itemType: AnalysisItemType;
  /** sha256 of the file, or the URL id (sha256 of the canonical URL). */
  itemId: string;
  status: AnalysisStatus;
  /** Unix seconds of submission. */
  date: number;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Unix seconds of completion. */
  completedAt: number | null;
}
