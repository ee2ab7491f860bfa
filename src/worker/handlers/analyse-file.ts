/** The `analyse-file` job: runs the file analysis (pipeline/analyse-file-job.ts); giving up completes it with a failure per engine. */
import { abandonFileAnalysis, analyseFile, type AnalyseFileDeps } from '../../pipeline/analyse-file-job.js';
import type { PluginHost } from '../../pipeline/plugin-host.js';
import type { AnalyseFilePayload } from '../job-kinds.js';
import type { JobHandler } from '../job-runner.js';

export interface AnalyseFileHandlerDeps extends AnalyseFileDeps {
  /** The host whose answering file engines a given-up analysis lists with `failure`. */
  host: PluginHost;
}

export function analyseFileHandler(deps: AnalyseFileHandlerDeps): JobHandler<AnalyseFilePayload> {
  return {
    async run(payload, signal, job) {
      const outcome = await analyseFile(deps, payload, signal);
      deps.logger.debug({ job: job.id, outcome }, 'file analysis job finished');
    },
    async giveUp(payload) {
      deps.logger.error({ analysis: payload.analysisId }, 'giving up on a file analysis; recording failure');
      await abandonFileAnalysis(deps, payload);
    },
  };
}
