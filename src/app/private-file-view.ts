/**
 * A file object as one reader sees it: the public record (counts, votes and last analysis of
 * public submissions only), plus what was submitted, voted and analysed privately under the
 * reader's own scopes. Nothing private to anyone else ever reaches it.
 */
import type { FileObject } from '../core/model/file.js';
import type { Store } from '../store/ports/store.js';

export async function privateFileView(
  store: Pick<Store, 'files' | 'votes' | 'analyses'>,
  file: FileObject,
  scopes: readonly string[],
): Promise<FileObject> {
  if (scopes.length === 0) return file;
  const [submissions, votes, analysis] = await Promise.all([
    store.files.privateSubmissions(file.sha256, scopes),
    store.votes.privateTotals({ type: 'file', id: file.sha256 }, scopes),
    store.analyses.latestPrivate(file.sha256, scopes),
  ]);
  const view: FileObject = {
    ...file,
    reputation: file.reputation + votes.reputation,
    totalVotes: { harmless: file.totalVotes.harmless + votes.harmless, malicious: file.totalVotes.malicious + votes.malicious },
  };
  if (submissions) {
    // While a file has no public submission its row's dates mean nothing to anyone.
    const hasPublic = file.timesSubmitted > 0;
    view.timesSubmitted = file.timesSubmitted + submissions.timesSubmitted;
    view.firstSubmissionDate = hasPublic ? Math.min(file.firstSubmissionDate, submissions.firstSubmissionDate) : submissions.firstSubmissionDate;
    view.lastSubmissionDate = hasPublic ? Math.max(file.lastSubmissionDate, submissions.lastSubmissionDate) : submissions.lastSubmissionDate;
  }
  if (analysis?.completedAt != null && (file.lastAnalysisDate === null || analysis.completedAt >= file.lastAnalysisDate)) {
    view.lastAnalysisId = analysis.id;
    view.lastAnalysisDate = analysis.completedAt;
    view.lastAnalysisResults = analysis.results;
    view.lastAnalysisStats = analysis.stats;
  }
  return view;
}
