/**
 * A bounded JSON GET for RDAP and the bootstrap registries, over an injected `fetch` (the app's
 * safe fetcher, undici, or the global one), and the error it throws for non-2xx answers.
 */

/** What RdapSource and refreshBootstrap are given: resolves with the parsed body of a 2xx answer. */
export type FetchJson = (url: string, signal: AbortSignal) => Promise<unknown>;

/** A non-2xx answer; `status` is what RdapSource reads (404: not registered, 429/5xx: try later). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
    this.name = 'HttpStatusError';
  }
}

/** A body over the limit. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly limitBytes: number,
    readonly url: string,
  ) {
    super(`response from ${url} exceeds ${limitBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

export const RDAP_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface FetchJsonOptions {
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  maxBytes?: number;
}

/** Builds a FetchJson that reads at most `maxBytes` (1 MiB) of body, then parses it. */
export function createFetchJson(options: FetchJsonOptions = {}): FetchJson {
  const doFetch = options.fetch ?? fetch;
  const maxBytes = options.maxBytes ?? RDAP_MAX_RESPONSE_BYTES;
  return async (url, signal) => {
    const response = await doFetch(url, {
      signal,
      redirect: 'follow',
      headers: { accept: 'application/rdap+json, application/json;q=0.9' },
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new HttpStatusError(response.status, url);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw new ResponseTooLargeError(maxBytes, url);
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > maxBytes) {
          await reader.cancel();
          throw new ResponseTooLargeError(maxBytes, url);
        }
        chunks.push(value);
      }
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  };
}
