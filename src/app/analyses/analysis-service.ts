/** Use case for analyses: one analysis with the file or URL it analysed, as its reader may see it. */
import { AppError } from '../../core/errors.js';
import type { Analysis } from '../../core/model/analysis.js';
import type { FileObject } from '../../core/model/file.js';
import type { Store } from '../../store/ports/store.js';
import { canSeeAnalysis } from '../accounts/visibility.js';
import type { Principal } from '../principal.js';
import type { AnalysedItem } from '../services.js';
import type { UrlService } from '../urls/url-service.js';

export interface AnalysisService {
  /** NotFoundError for an unknown analysis, and for someone else's private one alike. */
  get(id: string, principal: Principal): Promise<{ analysis: Analysis; item: AnalysedItem }>;
}

export interface AnalysisServiceDeps {
  store: Pick<Store, 'analyses' | 'access'>;
  urls: Pick<UrlService, 'get'>;
  /** The file as this reader sees it (private counts, votes and analyses only of their own scopes). */
  findFile(sha256: string, principal: Principal): Promise<FileObject>;
}

export function createAnalysisService(deps: AnalysisServiceDeps): AnalysisService {
  const { store } = deps;
  return {
    async get(id, principal) {
      const notFound = () => new AppError('NotFoundError', `Analysis "${id}" not found`);
      const analysis = await store.analyses.get(id);
      // Someone else's private analysis is reported exactly like an unknown one.
      if (!analysis || !canSeeAnalysis(await store.access.analysisOwner(id), principal)) throw notFound();
      if (analysis.itemType === 'url') {
        const url = await deps.urls.get(analysis.itemId).catch(() => undefined);
        if (!url) throw notFound();
        return { analysis, item: { type: 'url', url } };
      }
      const file = await deps.findFile(analysis.itemId, principal).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'NotFoundError') return undefined;
        throw error;
      });
      if (!file) throw notFound();
      return { analysis, item: { type: 'file', file } };
    },
  };
}
