/** Use case for analyses: one analysis with the file or URL it analysed, as its reader may see it. */
import { AppError } from '../../core/errors.js';
import type { Analysis } from '../../core/model/analysis.js';
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
  store: Pick<Store, 'analyses' | 'access' | 'files'>;
  urls: Pick<UrlService, 'get'>;
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
      const file = await store.files.findByHash('sha256', analysis.itemId);
      if (!file) throw notFound();
      return { analysis, item: { type: 'file', file } };
    },
  };
}
