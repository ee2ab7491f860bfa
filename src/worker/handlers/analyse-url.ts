/** The `analyse-url` job: runs the URL analysis (pipeline/analyse-url-job.ts); giving up completes it with a failure per URL engine. */
import { abandonUrlAnalysis, analyseUrl, type AnalyseUrlDeps } from '../../pipeline/analyse-url-job.js';
import type { AnalyseUrlPayload } from '../job-kinds.js';
import type { JobHandler } from '../job-runner.js';

export function analyseUrlHandler(deps: AnalyseUrlDeps): JobHandler<AnalyseUrlPayload> {
  return {
    async run(payload, signal, job) {
      const outcome = await analyseUrl(deps, payload, signal);
      deps.logger.debug({ job: job.id, outcome }, 'URL analysis job finished');
    },
    async giveUp(payload, error) {
      deps.logger.error({ analysis: payload.analysisId }, 'giving up on a URL analysis; recording failure');
      await abandonUrlAnalysis(deps, payload, error instanceof Error ? error.message : String(error));
    },
  };
}
