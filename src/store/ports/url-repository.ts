/** Storage port for URL objects: recording submissions and reading them back. */
import type { UrlObject } from '../../core/model/url.js';

export interface UrlSubmission {
  id: string;
  url: string;
  canonicalUrl: string;
  /** Unix seconds. */
  at: number;
}

export interface UrlRepository {
  /** Inserts the URL, or bumps times_submitted and last_submission_date (url keeps the first form). */
  recordSubmission(submission: UrlSubmission): Promise<UrlObject>;
  get(id: string): Promise<UrlObject | undefined>;
}
