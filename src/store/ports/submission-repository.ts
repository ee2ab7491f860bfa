/** Storage port for file submissions (the `submissions` relationship). */
import type { Page } from '../../core/model/page.js';
import type { Submission } from '../../core/model/submission.js';

export interface SubmissionRepository {
  record(submission: Submission): Promise<void>;
  /** The file's submissions whose owner is one of `owners` (`*` and the caller's scopes), newest first. */
  listForFile(sha256: string, owners: readonly string[], options: { limit: number; cursor?: string }): Promise<Page<Submission>>;
}
