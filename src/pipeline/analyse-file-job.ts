/** The job that analyses one submitted file: load it, run the pipeline, persist the outcome once. */
import type { Logger } from 'pino';
import { toUnixSeconds } from '../core/ids.js';
import { statsOf, type EngineResult } from '../core/verdict.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { Store } from '../store/ports/store.js';
import { unansweredResult } from './engine-results.js';
import type { FilePipeline } from './file-pipeline.js';
import type { PluginHost } from './plugin-host.js';

/** Which analysis of which stored file (the `analyse-file` job's payload, see worker/job-kinds.ts). */
export interface FileAnalysisRequest {
  analysisId: string;
  sha256: string;
}

export interface AnalyseFileDeps {
  store: Pick<Store, 'files' | 'analyses'>;
  blobs: BlobStore;
  pipeline: FilePipeline;
  logger: Logger;
  now: () => number;
}

export type AnalyseFileResult = 'completed' | 'already-completed' | 'missing';

export async function analyseFile(deps: AnalyseFileDeps, payload: FileAnalysisRequest, signal: AbortSignal): Promise<AnalyseFileResult> {
  const analysis = await deps.store.analyses.get(payload.analysisId);
  if (!analysis) return 'missing';
  // A job re-run after its worker died may find the work done already.
  if (analysis.status === 'completed') return 'already-completed';
  const file = await deps.store.files.findByHash('sha256', payload.sha256);
  if (!file) return 'missing';
  await deps.store.analyses.markInProgress(analysis.id);
  return deps.blobs.withLocalFile(file.sha256, async (path) => {
    const output = await deps.pipeline.run({ path, size: file.size, md5: file.md5, sha1: file.sha1, sha256: file.sha256, names: file.names }, signal);
    const completed = await deps.store.analyses.completeFileAnalysis({
      analysisId: analysis.id,
      sha256: file.sha256,
      results: output.results,
      stats: statsOf(output.results),
      attributes: output.attributes,
      tags: output.tags,
      at: toUnixSeconds(deps.now()),
    });
    return completed ? 'completed' : 'already-completed';
  });
}

/**
 * Gives up on an analysis whose job kept failing (e.g. its sample cannot be read): it completes
 * with a `failure` entry for every engine that would have answered, so clients polling it see an end instead of waiting forever.
 */
export async function abandonFileAnalysis(
  deps: Pick<AnalyseFileDeps, 'store' | 'now'> & { host: PluginHost },
  payload: FileAnalysisRequest,
): Promise<boolean> {
  const { host } = deps;
  const engines = host.answering((await host.current('engine')).filter((e) => e.manifest.accepts.kinds.includes('file')));
  const results: EngineResult[] = engines.map((engine) => unansweredResult('engine', engine, host.readiness(engine), 'failure'));
  return deps.store.analyses.completeFileAnalysis({
    analysisId: payload.analysisId,
    sha256: payload.sha256,
    results,
    stats: statsOf(results),
    attributes: {},
    tags: [],
    at: toUnixSeconds(deps.now()),
  });
}
