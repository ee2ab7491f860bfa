/**
 * Fetches attacker-chosen http(s) URLs without becoming a way into internal networks: every hop is resolved, vetted
 * and connected to the vetted address only, and size, time, headers and redirects are bounded.
 */
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { PluginError, type ConnectGuard } from '../core/plugin.js';
import type { FetchFailureReason, FetchHop, FetchOutcome, FetchResolution } from '../pipeline/page-fetcher.js';
import type { ResolvedAddress } from './host-resolver.js';

// The outcome types are the port's (pipeline/page-fetcher.ts): this is its adapter.
export type { FetchFailureReason, FetchHop, FetchOutcome, FetchResolution } from '../pipeline/page-fetcher.js';

export interface SafeFetcherOptions {
  guard: ConnectGuard;
  maxRedirects?: number;
  maxBodyBytes?: number;
  /** For the whole fetch, redirects and DNS included. */
  timeoutMs?: number;
  maxHeaderBytes?: number;
  userAgent?: string;
}

type Failure = { reason: FetchFailureReason; message: string };
type HopResult =
  | { ok: true; statusCode: number; headers: Record<string, string>; location?: string; body: Buffer; truncated: boolean }
  | ({ ok: false } & Failure);

const SCHEMES = new Set(['http:', 'https:']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_USER_AGENT = 'Mozilla/5.0 (compatible; Assay URL scanner)';

/** Answers the connection's DNS lookup with the vetted address, so nothing can swap the address after the check. */
function pinnedLookup(hostname: string, vetted: ResolvedAddress): LookupFunction {
  return (name, options, callback) => {
    if (name !== hostname) {
      callback(Object.assign(new Error(`unexpected lookup of ${name} (pinned ${hostname})`), { code: 'ENOTFOUND' }), '');
    } else if (options.all) {
      callback(null, [{ address: vetted.address, family: vetted.family }]);
    } else {
      callback(null, vetted.address, vetted.family);
    }
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Reads at most `limit` bytes; leaving the loop early destroys the stream, so the rest is never downloaded. */
async function readBounded(body: AsyncIterable<Buffer>, limit: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const room = limit - size;
    if (chunk.length > room) {
      chunks.push(chunk.subarray(0, room));
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

const errorCode = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';

function classifyRemoteError(error: unknown): Failure {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return { reason: 'headers-too-large', message: 'response headers too large' };
  if (['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(code)) {
    return { reason: 'timeout', message };
  }
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'EPROTO') {
    return { reason: 'tls-failed', message: `${code}: ${message}` };
  }
  if (code.startsWith('HPE_')) return { reason: 'protocol-error', message: `${code}: ${message}` };
  if (/^E[A-Z]+$/.test(code) || code === 'UND_ERR_SOCKET') return { reason: 'connect-failed', message: `${code}: ${message}` };
  return { reason: 'fetch-failed', message: code ? `${code}: ${message}` : message };
}

export class SafeFetcher {
  readonly #guard: ConnectGuard;
  readonly #maxRedirects: number;
  readonly #maxBodyBytes: number;
  readonly #timeoutMs: number;
  readonly #maxHeaderBytes: number;
  readonly #userAgent: string;

  constructor(options: SafeFetcherOptions) {
    this.#guard = options.guard;
    this.#maxRedirects = options.maxRedirects ?? 10;
    this.#maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024;
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  /** Never throws for what the remote side does: refusals and failures are outcomes with a reason. */
  async fetch(url: string, signal?: AbortSignal): Promise<FetchOutcome> {
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([deadline, signal]) : deadline;
    const chain: FetchHop[] = [];
    const resolutions: FetchResolution[] = [];
    const fail = ({ reason, message }: Failure): FetchOutcome => {
      // An abort surfaces as whatever error was in flight; the signals say what really happened.
      if (deadline.aborted) return { ok: false, reason: 'timeout', message: `no answer within ${this.#timeoutMs} ms`, chain, resolutions };
      if (signal?.aborted) return { ok: false, reason: 'aborted', message: 'fetch cancelled', chain, resolutions };
      return { ok: false, reason, message, chain, resolutions };
    };

    let current: URL;
    try {
      current = new URL(url);
    } catch {
      return fail({ reason: 'invalid-url', message: `not a URL: ${JSON.stringify(url)}` });
    }
    for (let redirects = 0; ; redirects += 1) {
      if (!SCHEMES.has(current.protocol)) {
        return fail({ reason: 'unsupported-scheme', message: `only http and https are fetched, not ${current.protocol}` });
      }
      // Credentials and fragments are never sent; the chain records what was actually requested.
      const target = new URL(current.href);
      target.username = '';
      target.password = '';
      target.hash = '';
      const hostname = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;

      let vetted: ResolvedAddress;
      try {
        vetted = await this.#guard(hostname, combined);
      } catch (error) {
        if (error instanceof PluginError && (error.flag === 'address-refused' || error.flag === 'dns-failed')) {
          return fail({ reason: error.flag, message: error.message });
        }
        return fail({ reason: 'dns-failed', message: error instanceof Error ? error.message : String(error) });
      }
      if (isIP(hostname) === 0 && !resolutions.some((r) => r.hostName === hostname && r.ipAddress === vetted.address)) {
        resolutions.push({ hostName: hostname, ipAddress: vetted.address });
      }

      const hop = await this.#fetchHop(target, hostname, vetted, combined);
      if (!hop.ok) return fail(hop);
      const { statusCode, location } = hop;
      chain.push({ url: target.href, statusCode, address: vetted.address, ...(location !== undefined && { location }) });
      if (location === undefined) {
        const { headers, body, truncated } = hop;
        return { ok: true, finalUrl: target.href, statusCode, headers, body, truncated, chain, resolutions };
      }
      if (redirects >= this.#maxRedirects) {
        return fail({ reason: 'too-many-redirects', message: `more than ${this.#maxRedirects} redirects` });
      }
      try {
        current = new URL(location, target);
      } catch {
        return fail({ reason: 'invalid-url', message: `redirect to an invalid URL: ${JSON.stringify(location)}` });
      }
    }
  }

  async #fetchHop(target: URL, hostname: string, vetted: ResolvedAddress, signal: AbortSignal): Promise<HopResult> {
    // One agent per hop: its only connection is pinned to this hop's vetted address and dies with the hop.
    const agent = new Agent({
      connect: { lookup: pinnedLookup(hostname, vetted), timeout: this.#timeoutMs },
      maxHeaderSize: this.#maxHeaderBytes,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      connections: 1,
    });
    try {
      const response = await request(target, {
        dispatcher: agent,
        method: 'GET',
        headers: { 'user-agent': this.#userAgent, accept: '*/*' },
        signal,
      });
      const headers = flattenHeaders(response.headers);
      const rawLocation = response.headers.location;
      const location = Array.isArray(rawLocation) ? rawLocation[0] : rawLocation;
      if (REDIRECT_STATUSES.has(response.statusCode) && location !== undefined) {
        // The redirect's own body is not wanted; destroying it reports an abort that nobody needs to hear.
        response.body.on('error', () => {}).destroy();
        return { ok: true, statusCode: response.statusCode, headers, location, body: Buffer.alloc(0), truncated: false };
      }
      const { body, truncated } = await readBounded(response.body, this.#maxBodyBytes);
      return { ok: true, statusCode: response.statusCode, headers, body, truncated };
    } catch (error) {
      return { ok: false, ...classifyRemoteError(error) };
    } finally {
      await agent.destroy().catch(() => {});
    }
  }
}
