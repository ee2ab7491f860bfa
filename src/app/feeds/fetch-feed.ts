/**
 * Downloads a feed over HTTP(S) with undici as a stream, following a few redirects. A feed URL is
 * chosen by the operator (flag or ASSAY_FEEDS), not by an API user, so the private-address refusal
 * of the URL fetcher does not apply here: a feed mirror on the local network is a normal setup.
 */
import type { Readable } from 'node:stream';
import { getGlobalDispatcher, interceptors, request, type Dispatcher } from 'undici';

/** A feed body and, when the server declared it, its size (for progress). */
export interface FetchedFeed {
  body: Readable;
  totalBytes?: number;
}

/** What importFeed is given for http(s) sources; a bare Readable is accepted too. */
export type FeedFetch = (url: string, signal?: AbortSignal) => Promise<Readable | FetchedFeed>;

const MAX_REDIRECTIONS = 5;
/** Feeds are large and mirrors slow; a silent connection for this long is given up. */
const HEADERS_TIMEOUT_MS = 60_000;
const BODY_TIMEOUT_MS = 120_000;

/** A non-2xx answer for a feed URL. */
export class FeedHttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
    this.name = 'FeedHttpError';
  }
}

let dispatcher: Dispatcher | undefined;

export async function fetchFeed(url: string, signal?: AbortSignal): Promise<FetchedFeed> {
  dispatcher ??= getGlobalDispatcher().compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
  const response = await request(url, {
    method: 'GET',
    dispatcher,
    headersTimeout: HEADERS_TIMEOUT_MS,
    bodyTimeout: BODY_TIMEOUT_MS,
    // Byte counts for progress are of the body as sent, so ask for it uncompressed.
    headers: { 'accept-encoding': 'identity', 'user-agent': 'assay-feed-import' },
    ...(signal ? { signal } : {}),
  });
  if (response.statusCode < 200 || response.statusCode > 299) {
    await response.body.dump();
    throw new FeedHttpError(response.statusCode, url);
  }
  const length = Number(response.headers['content-length']);
  return Number.isSafeInteger(length) && length >= 0 ? { body: response.body, totalBytes: length } : { body: response.body };
}
