// Renders stored records as VirusTotal objects: file and analysis attributes, descriptors, file_info.
import { emptyStats, resultsByEngine, type AnalysisStats, type EngineResult } from '../core/verdict.js';
import type { Analysis } from '../core/model/analysis.js';
import type { FileObject } from '../core/model/file.js';
import type { Descriptor, Links, VtObject } from './envelope.js';

/** vt-py copies attributes onto read-only object properties; these names raise AttributeError. */
const reservedAttributeNames = new Set(['id', 'type', 'relationships', 'context_attributes', 'error']);

/** Attributes vt-py turns into datetimes; anything but a number there raises TypeError when read. */
const isDateAttribute = (key: string): boolean => key === 'date' || key === 'last_login' || key === 'user_since' || key.endsWith('_date');

/** Drops what would break vt-py: reserved names, and date attributes that are not numbers (null). */
export function safeAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (reservedAttributeNames.has(key) || value === undefined) continue;
    if (isDateAttribute(key) && !(typeof value === 'number' && Number.isFinite(value))) continue;
    out[key] = value;
  }
  return out;
}

/** All eight categories, always: clients index them without checking. */
export const fullStats = (stats: Partial<AnalysisStats> | null | undefined): AnalysisStats => ({ ...emptyStats(), ...(stats ?? {}) });

export const renderResults = (results: readonly EngineResult[] | null): Record<string, EngineResult> => resultsByEngine(results ?? []);

export function fileAttributes(file: FileObject): Record<string, unknown> {
  // Analyzer attributes first, so the core fields below always win over a same-named key.
  return safeAttributes({
    ...file.attributes,
    md5: file.md5,
    sha1: file.sha1,
    sha256: file.sha256,
    size: file.size,
    names: file.names,
    meaningful_name: file.names[0],
    times_submitted: file.timesSubmitted,
    first_submission_date: file.firstSubmissionDate,
    last_submission_date: file.lastSubmissionDate,
    last_analysis_date: file.lastAnalysisDate,
    last_analysis_results: renderResults(file.lastAnalysisResults),
    last_analysis_stats: fullStats(file.lastAnalysisStats),
    reputation: file.reputation,
    total_votes: file.totalVotes,
    tags: file.tags,
    // Submitters are not tracked per source; every file has at least its first one.
    unique_sources: 1,
  });
}

export const fileObject = (links: Links, file: FileObject): VtObject => ({
  type: 'file',
  id: file.sha256,
  links: { self: links.file(file.sha256) },
  attributes: fileAttributes(file),
});

export function analysisAttributes(analysis: Analysis): Record<string, unknown> {
  return safeAttributes({
    date: analysis.date,
    // Always present: vt-py's wait_for_completion reads it on every poll.
    status: analysis.status,
    stats: fullStats(analysis.stats),
    results: renderResults(analysis.results),
  });
}

export const analysisObject = (links: Links, analysis: Analysis): VtObject => ({
  type: 'analysis',
  id: analysis.id,
  links: { self: links.analysis(analysis.id) },
  attributes: analysisAttributes(analysis),
});

export const fileInfo = (file: FileObject) => ({ sha256: file.sha256, sha1: file.sha1, md5: file.md5, size: file.size });

export const descriptor = (type: string, id: string): Descriptor => ({ type, id });

/** What POST /files, the upload URL and /analyse return: the analysis to poll. */
export const analysisDescriptor = (links: Links, id: string) => ({ type: 'analysis', id, links: { self: links.analysis(id) } });
