/** Use cases for URLs: submit one for analysis, look one up by either id form, rescan it, list its analyses, fetch its screenshot. */
import { AppError } from '../../core/errors.js';
import { randomHex, toUnixSeconds } from '../../core/ids.js';
import { canonicalizeUrl } from '../../core/url-canonical.js';
import { parseUrlIdentifier, urlAnalysisId, urlIdOf } from '../../core/url-ids.js';
import { ANALYSE_URL, type AnalyseUrlPayload } from '../../worker/job-kinds.js';
import type { JobQueue } from '../../queue/queue.js';
import type { VoteTotals } from '../../core/model/community.js';
import type { UrlObject } from '../../core/model/url.js';
import type { Readable } from 'node:stream';
import type { Analysis } from '../../core/model/analysis.js';
import type { Page } from '../../core/model/page.js';
import type { BlobStore } from '../../store/ports/blob-store.js';
import type { Store } from '../../store/ports/store.js';

export interface UrlView {
  url: UrlObject;
  votes: VoteTotals;
}

export interface UrlService {
  /** Canonicalises (InvalidArgumentError for a bad URL), records the submission and queues an analysis. */
  submit(url: string): Promise<{ analysisId: string; urlId: string }>;
  /** `id` is a sha256 or unpadded base64url of the URL; NotFoundError when never submitted. */
  get(id: string): Promise<UrlView>;
  reanalyse(id: string): Promise<{ analysisId: string; urlId: string }>;
  /** The URL id an identifier names, known or not (InvalidArgumentError when malformed). */
  idOf(id: string): string;
  /** The URL's analyses, newest first; NotFoundError when never submitted. */
  listAnalyses(id: string, options: { limit: number; cursor?: string }): Promise<Page<Analysis>>;
  /** The PNG of the URL's last fetched page; NotFoundError when there is none (or its blob is gone). */
  screenshot(id: string): Promise<{ stream: Readable; size: number }>;
}

export interface UrlServiceDeps {
  store: Pick<Store, 'urls' | 'analyses' | 'votes'>;
  queue: JobQueue;
  /** Where screenshots are kept. */
  blobs: Pick<BlobStore, 'has' | 'openRead'>;
  now: () => number;
}

export function createUrlService(deps: UrlServiceDeps): UrlService {
  const { store } = deps;

  async function queueAnalysis(urlId: string): Promise<{ analysisId: string; urlId: string }> {
    const date = toUnixSeconds(deps.now());
    const analysisId = urlAnalysisId(urlId, date, randomHex(2));
    // The analysis row first, then the job: the job always finds its analysis.
    await store.analyses.create({ id: analysisId, itemType: 'url', itemId: urlId, date });
    const payload: AnalyseUrlPayload = { analysisId, urlId };
    await deps.queue.enqueue(ANALYSE_URL, payload);
    return { analysisId, urlId };
  }

  const idOf = (id: string): string => {
    const parsed = parseUrlIdentifier(id);
    return parsed.kind === 'sha256' ? parsed.id : urlIdOf(canonicalizeUrl(parsed.url).canonical);
  };

  async function find(id: string): Promise<UrlObject> {
    const urlId = idOf(id);
    const url = await store.urls.get(urlId);
    if (!url) throw new AppError('NotFoundError', `URL "${id}" not found`);
    return url;
  }

  return {
    async submit(raw) {
      if (typeof raw !== 'string' || raw.trim() === '') throw new AppError('InvalidArgumentError', 'The "url" field is missing or empty');
      const { canonical } = canonicalizeUrl(raw);
      const urlId = urlIdOf(canonical);
      await store.urls.recordSubmission({ id: urlId, url: raw.trim(), canonicalUrl: canonical, at: toUnixSeconds(deps.now()) });
      return queueAnalysis(urlId);
    },

    async get(id) {
      const url = await find(id);
      return { url, votes: await store.votes.totals({ type: 'url', id: url.id }) };
    },

    async reanalyse(id) {
      const url = await find(id);
      return queueAnalysis(url.id);
    },

    idOf,

    async listAnalyses(id, options) {
      const url = await find(id);
      return store.analyses.listForItem(url.id, options);
    },

    async screenshot(id) {
      const url = await find(id);
      const shot = url.attributes.last_screenshot as { sha256?: unknown } | undefined;
      if (typeof shot?.sha256 !== 'string' || !(await deps.blobs.has(shot.sha256))) throw new AppError('NotFoundError', `No screenshot of URL "${id}"`);
      return deps.blobs.openRead(shot.sha256);
    },
  };
}
