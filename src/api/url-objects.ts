// Renders URLs as VirusTotal url objects (vt-api-v3 §8.2) and url_info, with the schema openapi.json documents for them.
import type { UrlView } from '../app/urls/url-service.js';
import type { VoteTotals } from '../core/model/community.js';
import type { UrlObject } from '../core/model/url.js';
import type { Links, VtObject } from './envelope.js';
import { fullStats, renderResults, safeAttributes } from './objects.js';
import { objectSchema, resultsSchema, statsSchema, totalVotesSchema } from './schemas.js';

const totalVotes = (votes: VoteTotals) => ({ harmless: votes.harmless, malicious: votes.malicious });

export function urlAttributes(url: UrlObject, votes: VoteTotals): Record<string, unknown> {
  return safeAttributes({
    // Lists and maps clients iterate, present before the first fetch has filled them.
    categories: {},
    threat_names: [],
    redirection_chain: [],
    outgoing_links: [],
    // What the last analysis stored (last_final_url, title, last_http_response_*, html_meta,
    // trackers, tld, last_fetch_error...); the core fields below win over a same-named key.
    ...url.attributes,
    url: url.url,
    times_submitted: url.timesSubmitted,
    first_submission_date: url.firstSubmissionDate,
    last_submission_date: url.lastSubmissionDate,
    last_analysis_date: url.lastAnalysisDate,
    last_modification_date: Math.max(url.lastSubmissionDate, url.lastAnalysisDate ?? 0),
    last_analysis_results: renderResults(url.lastAnalysisResults),
    last_analysis_stats: fullStats(url.lastAnalysisStats),
    reputation: votes.reputation,
    total_votes: totalVotes(votes),
    tags: url.tags,
  });
}

export const urlObject = (links: Links, view: UrlView): VtObject => ({
  type: 'url',
  id: view.url.id,
  links: { self: links.url(view.url.id) },
  attributes: urlAttributes(view.url, view.votes),
});

/** A URL another object points to but that was never stored itself: its id, votes and empty stats. */
export const unseenUrlObject = (links: Links, id: string, votes: VoteTotals): VtObject => ({
  type: 'url',
  id,
  links: { self: links.url(id) },
  attributes: { last_analysis_results: {}, last_analysis_stats: fullStats(null), reputation: votes.reputation, total_votes: totalVotes(votes), tags: [] },
});

/** meta.url_info of a URL analysis: scripts read `id` to find the URL object. */
export const urlInfo = (url: UrlObject) => ({ id: url.id, url: url.url });

const stringList = { type: 'array', items: { type: 'string' } };

export const urlObjectSchema = objectSchema('url', {
  type: 'object',
  description: 'VT url attributes; the page facts (title, html_meta, trackers, outgoing_links...) appear once a fetch succeeded, last_fetch_error when it was refused or failed.',
  additionalProperties: true,
  properties: {
    url: { type: 'string', description: 'As first submitted' },
    last_final_url: { type: 'string', description: 'After redirects' },
    title: { type: 'string' },
    last_http_response_code: { type: 'integer' },
    last_http_response_content_length: { type: 'integer' },
    last_http_response_content_sha256: { type: 'string' },
    last_http_response_headers: { type: 'object', additionalProperties: { type: 'string' } },
    last_http_response_cookies: { type: 'object' },
    redirection_chain: stringList,
    outgoing_links: stringList,
    html_meta: { type: 'object', additionalProperties: stringList },
    trackers: { type: 'object' },
    tld: { type: 'string' },
    categories: { type: 'object', additionalProperties: { type: 'string' }, description: 'Engine name -> category' },
    threat_names: stringList,
    last_fetch_error: { type: 'object', properties: { reason: { type: 'string' }, message: { type: 'string' } } },
    times_submitted: { type: 'integer' },
    first_submission_date: { type: 'integer', description: 'Unix seconds' },
    last_submission_date: { type: 'integer', description: 'Unix seconds' },
    last_analysis_date: { type: 'integer', description: 'Unix seconds; absent until an analysis completes' },
    last_modification_date: { type: 'integer', description: 'Unix seconds' },
    last_analysis_results: resultsSchema,
    last_analysis_stats: statsSchema,
    reputation: { type: 'integer' },
    total_votes: totalVotesSchema,
    tags: stringList,
  },
});
