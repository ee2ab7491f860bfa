/**
 * The jobs Assay runs in the background: each kind's name on the queue and its payload. Use cases
 * in app/ enqueue them; worker/handlers/ run them. This module imports nothing, so app/ may use it
 * without depending on the worker.
 */

/** Analyse one stored file: run the file pipeline and complete the analysis. */
export const ANALYSE_FILE = 'analyse-file';

export interface AnalyseFilePayload {
  analysisId: string;
  sha256: string;
}

/** Analyse one URL: fetch it, analyse the body, run the URL engines and complete the analysis. */
export const ANALYSE_URL = 'analyse-url';

export interface AnalyseUrlPayload {
  analysisId: string;
  urlId: string;
}

/** Every job kind with its payload. */
export interface JobPayloads {
  [ANALYSE_FILE]: AnalyseFilePayload;
  [ANALYSE_URL]: AnalyseUrlPayload;
}

export type JobKind = keyof JobPayloads;
