/**
 * A small VirusTotal API v3 client, written from vt-api-v3.md to behave like vt-py: the CLI uses it,
 * and end-to-end tests use it as our stand-in for vt-py, so it is strict where vt-py would fail.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const CLIENT_VERSION = '0.1.0';

/** An API object as vt-py's `Object.from_dict` accepts it. */
export interface VtObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  links?: Record<string, unknown>;
  relationships?: Record<string, unknown>;
  context_attributes?: Record<string, unknown>;
  /** Per-item error inside some collections (vt-py keeps it as `obj.error`). */
  error?: unknown;
}

/** A non-200 answer, as vt-py's APIError: the VT code and message, plus the HTTP status (0 when client-side). */
export class VtApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'VtApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * The server answered but broke a rule vt-py depends on (JSON content type, `data`, `type`/`id`,
 * integer dates, an `error.code`, no empty page with a cursor). vt-py crashes with KeyError,
 * ValueError, TypeError or IndexError there; we name the broken rule instead.
 */
export class VtProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VtProtocolError';
  }
}

export interface VtClientOptions {
  /** Host base URL, e.g. `http://127.0.0.1:8080`; `/api/v3` is appended like vt-py's `host=`. */
  server: string;
  apiKey: string;
  /** First part of the User-Agent, like vt-py's `agent=`. */
  agent?: string;
  /** Extra headers on every request, like vt-py's `headers=`. */
  headers?: Record<string, string>;
  /** Whole-request deadline; vt-py's default `timeout=300` seconds. */
  requestTimeoutMs?: number;
}

export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface IterateOptions {
  /** Extra query parameters; `cursor` and `limit` are refused here, as vt-py refuses them. */
  params?: QueryParams;
  /** Client-side cap on the number of objects yielded (vt-py `limit=`). */
  limit?: number;
  /** Page size sent as the `limit` query parameter (vt-py `batch_size=`); absent lets the server choose. */
  batchSize?: number;
  /** Server cursor to start from. */
  cursor?: string;
}

export interface WaitOptions {
  /** Delay between polls; vt-py sleeps 20 s. The first poll is immediate. */
  pollMs?: number;
  /** Give up after this long; vt-py has no limit, which is the default here too. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with `status` after every poll (`queued`, `in-progress`, `completed`), for progress displays. */
  onStatus?(status: string): void;
}

/**
 * An analysis with the response's `meta`: `file_info` ({sha256, ...}) for a file, `url_info`
 * ({id, url}) for a URL, which is how scripts find the analysed object.
 */
export interface AnalysisReport {
  analysis: VtObject;
  meta: Record<string, unknown>;
}

export interface UploadOptions {
  /** Called as file bytes are handed to the connection; `total` is the file size. */
  onProgress?(bytesSent: number, total: number): void;
  /** Name sent in the multipart part; defaults to the file's base name. */
  name?: string;
  signal?: AbortSignal;
}

export interface ScanFileOptions extends UploadOptions, Omit<WaitOptions, 'signal'> {
  /** Poll /analyses/{id} until completed (vt-py `wait_for_completion=`, default false). */
  waitForCompletion?: boolean;
}

export interface UploadResult {
  /** The analysis descriptor answered by the upload (status not yet known). */
  analysis: VtObject;
  /** Computed from the bytes as they were streamed, so the file is read once. */
  sha256: string;
  size: number;
  name: string;
}

const API_PREFIX = '/api/v3';
const DEFAULT_POLL_MS = 20_000;

/** vt-py converts these attributes with datetime.fromtimestamp(), so they must be numbers. */
const DATE_ATTRIBUTE = /^(?:.+_date|date|last_login|user_since)$/;
/** vt-py copies attributes onto properties; these names collide with read-only ones. */
const RESERVED_ATTRIBUTES = new Set(['id', 'type', 'relationships', 'context_attributes', 'error']);

const SHA256_HEX = /^[0-9a-f]{64}$/i;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** vt-py's url_id: unpadded base64url of the URL as typed. */
export function urlId(url: string): string {
  return Buffer.from(url, 'utf8').toString('base64url');
}

/**
 * Encodes one path segment the way aiohttp/yarl sends it: sub-delimiters, `:` and `@` stay as they
 * are, so a VT analysis id like `NjY0...Nw==` reaches the server unchanged.
 */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%(24|26|2B|2C|3B|3D|3A|40)/gi, (m) => decodeURIComponent(m));
}

/** Checks one collection item or `data` object against what vt-py's Object.from_dict and attribute access accept. */
export function toVtObject(value: unknown): VtObject {
  if (!isRecord(value)) throw new VtProtocolError(`expected an object, got ${Array.isArray(value) ? 'array' : typeof value}`);
  for (const field of ['type', 'id'] as const) {
    if (typeof value[field] !== 'string') throw new VtProtocolError(`object ${field} not found or not a string`);
  }
  const attributes = value.attributes ?? {};
  if (!isRecord(attributes)) throw new VtProtocolError('object attributes must be a dictionary');
  for (const [name, attr] of Object.entries(attributes)) {
    if (RESERVED_ATTRIBUTES.has(name)) throw new VtProtocolError(`attribute "${name}" collides with a vt-py property`);
    if (DATE_ATTRIBUTE.test(name) && (typeof attr !== 'number' || !Number.isFinite(attr))) {
      throw new VtProtocolError(`date attribute "${name}" must be Unix seconds, got ${JSON.stringify(attr)}`);
    }
  }
  const obj: VtObject = { type: value.type as string, id: value.id as string, attributes };
  if (isRecord(value.links)) obj.links = value.links;
  if (isRecord(value.relationships)) obj.relationships = value.relationships;
  if (isRecord(value.context_attributes)) obj.context_attributes = value.context_attributes;
  if ('error' in value) obj.error = value.error;
  return obj;
}

/** Media type without parameters, lower-cased, as aiohttp's `content_type`. */
function mimeType(res: Response): string {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The multipart header of vt-py's single `file` part; `"`, CR and LF are escaped as browsers do. */
function fileDisposition(name: string): string {
  const safe = name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return `form-data; name="file"; filename="${safe}"`;
}

export class VtClient {
  readonly server: string;
  private readonly apiKey: string;
  private readonly headers: Record<string, string>;
  private readonly requestTimeoutMs: number;

  constructor(options: VtClientOptions) {
    if (typeof options.apiKey !== 'string' || options.apiKey === '') throw new Error('API key can not be an empty string');
    this.server = options.server.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 300_000;
    this.headers = {
      'X-Apikey': this.apiKey,
      'Accept-Encoding': 'gzip',
      'User-Agent': `${options.agent ?? 'unknown'}; assay-vt-client ${CLIENT_VERSION}; gzip`,
      ...options.headers,
    };
  }

  /** A path starting with `http` is used verbatim (upload URLs, `links.next`); others go under /api/v3. */
  url(pathOrUrl: string, params?: QueryParams): string {
    const url = new URL(pathOrUrl.startsWith('http') ? pathOrUrl : `${this.server}${API_PREFIX}${pathOrUrl}`);
    for (const [key, value] of Object.entries(params ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** Low level, like vt-py's get/post: the raw response, no status check. */
  async request(
    method: string,
    pathOrUrl: string,
    init: {
      params?: QueryParams;
      body?: RequestInit['body'];
      headers?: Record<string, string>;
      signal?: AbortSignal;
      redirect?: RequestInit['redirect'];
    } = {},
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const requestInit: RequestInit = { method, headers: { ...this.headers, ...init.headers }, signal, redirect: init.redirect ?? 'follow' };
    if (init.body !== undefined) {
      requestInit.body = init.body;
      // Streamed bodies need half duplex in Node's fetch; harmless for the others.
      requestInit.duplex = 'half';
    }
    return fetch(this.url(pathOrUrl, init.params), requestInit);
  }

  /** vt-py's get_error: only 200 is success; 4xx JSON gives the VT code; anything else is Client/ServerError. */
  async errorOf(res: Response): Promise<VtApiError | undefined> {
    if (res.status === 200) return undefined;
    const text = await res.text();
    if (res.status >= 400 && res.status <= 499) {
      if (mimeType(res) === 'application/json') {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new VtProtocolError(`HTTP ${res.status} with an application/json body that is not JSON: ${text.slice(0, 200)}`);
        }
        const error = isRecord(body) ? body.error : undefined;
        if (error) {
          if (!isRecord(error) || typeof error.code !== 'string') {
            throw new VtProtocolError(`HTTP ${res.status} error envelope without a string error.code: ${text.slice(0, 200)}`);
          }
          return new VtApiError(error.code, typeof error.message === 'string' ? error.message : '', res.status);
        }
      }
      return new VtApiError('ClientError', text, res.status);
    }
    return new VtApiError('ServerError', text, res.status);
  }

  /** Throws the API error, or parses a 200 body that must be JSON with a JSON content type. */
  async parse(res: Response): Promise<unknown> {
    const error = await this.errorOf(res);
    if (error) throw error;
    if (mimeType(res) !== 'application/json') {
      throw new VtProtocolError(`expected Content-Type application/json, got "${res.headers.get('content-type') ?? ''}"`);
    }
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new VtProtocolError(`response is not JSON: ${text.slice(0, 200)}`);
    }
  }

  async getJson(pathOrUrl: string, options: { params?: QueryParams; signal?: AbortSignal } = {}): Promise<unknown> {
    return this.parse(await this.request('GET', pathOrUrl, options));
  }

  /** The `data` member of the response (a string for upload_url, a dict for metadata, ...). */
  async getData(pathOrUrl: string, options: { params?: QueryParams; signal?: AbortSignal } = {}): Promise<unknown> {
    return dataOf(await this.getJson(pathOrUrl, options));
  }

  async getObject(pathOrUrl: string, options: { params?: QueryParams; signal?: AbortSignal } = {}): Promise<VtObject> {
    return toVtObject(await this.getData(pathOrUrl, options));
  }

  /** Walks a collection page by page through `meta.cursor`, as vt-py's Iterator does (it never reads `links`). */
  async *iterate(pathOrUrl: string, options: IterateOptions = {}): AsyncGenerator<VtObject, void, undefined> {
    const base = { ...options.params };
    if ('cursor' in base) throw new Error('Do not pass "cursor" as a path param');
    if ('limit' in base) throw new Error('Do not pass "limit" as a path param');
    let cursor = options.cursor;
    let count = 0;
    const capped = () => options.limit !== undefined && options.limit > 0 && count >= options.limit;
    while (!capped()) {
      const params: QueryParams = { ...base };
      if (cursor) params.cursor = cursor;
      if (options.batchSize) params.limit = options.batchSize;
      const body = await this.getJson(pathOrUrl, { params });
      if (!isRecord(body) || !Array.isArray(body.data)) throw new VtProtocolError(`${pathOrUrl} is not a collection`);
      const meta = isRecord(body.meta) ? body.meta : {};
      const next = typeof meta.cursor === 'string' && meta.cursor !== '' ? meta.cursor : undefined;
      if (body.data.length === 0 && next) {
        throw new VtProtocolError(`${pathOrUrl}: empty page with a cursor (vt-py fails with IndexError)`);
      }
      for (const item of body.data) {
        if (capped()) return;
        count += 1;
        yield toVtObject(item);
      }
      if (!next) return;
      cursor = next;
    }
  }

  /** GET /files/upload_url: a single-use absolute URL. */
  async uploadUrl(): Promise<string> {
    const data = await this.getData('/files/upload_url');
    if (typeof data !== 'string' || !/^https?:\/\//.test(data)) {
      throw new VtProtocolError(`upload_url data must be an absolute URL string, got ${JSON.stringify(data)}`);
    }
    return data;
  }

  /**
   * The upload half of vt-py's scan_file: always GET /files/upload_url first, then POST one multipart
   * part `file` to it, streamed from disk in chunks (no Content-Length, like vt-go) so a large
   * sample never sits in memory.
   */
  async uploadFile(filePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    const info = await stat(filePath);
    if (!info.isFile()) throw new Error(`${filePath}: not a regular file`);
    const size = info.size;
    const name = options.name ?? path.basename(filePath);
    const url = await this.uploadUrl();

    // aiohttp's MultipartWriter uses a uuid4 hex boundary; 32 random hex characters match its shape.
    const boundary = randomBytes(16).toString('hex');
    const head = Buffer.from(
      `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: ${fileDisposition(name)}\r\n\r\n`,
      'utf8',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
    const hash = createHash('sha256');
    let sent = 0;
    const onProgress = options.onProgress;
    async function* body(): AsyncGenerator<Uint8Array> {
      yield head;
      for await (const chunk of createReadStream(filePath) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        sent += chunk.length;
        onProgress?.(sent, size);
        yield chunk;
      }
      yield tail;
    }

    let res: Response;
    try {
      res = await this.request('POST', url, {
        body: body(),
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        // With any other mode Node's fetch clones the request to be able to follow a redirect, and
        // the clone tees the body stream: the unread branch then holds every byte of the file.
        // A streamed body could not be replayed on a redirect anyway.
        redirect: 'error',
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: unknown } }).cause;
      if (typeof cause?.message === 'string' && /redirect/i.test(cause.message)) {
        throw new VtApiError('ServerError', `the upload URL answered with a redirect, which a streamed upload cannot follow`, 0);
      }
      throw err;
    }
    const analysis = toVtObject(dataOf(await this.parse(res)));
    if (sent !== size) throw new Error(`${filePath} changed size during upload (${sent} of ${size} bytes sent)`);
    return { analysis, sha256: hash.digest('hex'), size, name };
  }

  /** vt-py's scan_file: upload, then (when asked) poll until the analysis is completed. Returns the analysis. */
  async scanFile(filePath: string, options: ScanFileOptions = {}): Promise<VtObject> {
    const { analysis } = await this.uploadFile(filePath, options);
    if (!options.waitForCompletion) return analysis;
    return this.waitForAnalysis(analysis.id, waitOptions(options));
  }

  /** vt-py's scan_url: urlencoded POST /urls with field `url`, then optional polling. */
  async scanUrl(url: string, options: Omit<ScanFileOptions, 'onProgress' | 'name'> = {}): Promise<VtObject> {
    const res = await this.request('POST', '/urls', {
      body: new URLSearchParams({ url }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const analysis = toVtObject(dataOf(await this.parse(res)));
    if (!options.waitForCompletion) return analysis;
    return this.waitForAnalysis(analysis.id, waitOptions(options));
  }

  /** GET /analyses/{id}, keeping `meta` (file_info or url_info). */
  async getAnalysis(id: string, options: { signal?: AbortSignal } = {}): Promise<AnalysisReport> {
    const body = await this.getJson(`/analyses/${pathSegment(id)}`, options);
    const analysis = toVtObject(dataOf(body));
    const meta = isRecord(body) && isRecord(body.meta) ? body.meta : {};
    return { analysis, meta };
  }

  /** Polls GET /analyses/{id} (first poll at once) until `status` is `completed`. */
  async waitForAnalysis(id: string, options: WaitOptions = {}): Promise<VtObject> {
    return (await this.waitForAnalysisReport(id, options)).analysis;
  }

  /** waitForAnalysis, keeping the last answer's `meta` (a URL analysis names its URL id in `meta.url_info.id`). */
  async waitForAnalysisReport(id: string, options: WaitOptions = {}): Promise<AnalysisReport> {
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
    const signal = options.signal;
    for (;;) {
      const report = await this.getAnalysis(id, signal ? { signal } : {});
      const status = report.analysis.attributes.status;
      // vt-py reads analysis.status and raises AttributeError when it is missing.
      if (typeof status !== 'string') throw new VtProtocolError(`analysis ${id} has no attributes.status`);
      options.onStatus?.(status);
      if (status === 'completed') return report;
      if (Date.now() + pollMs > deadline) {
        throw new VtApiError('WaitTimeoutError', `analysis ${id} still ${status} after ${options.timeoutMs} ms`, 0);
      }
      await sleep(pollMs, undefined, signal ? { signal } : {});
    }
  }

  /**
   * GET /urls/{id}: a sha256 (64 hex, VT's id of the canonical URL) is sent as it is; anything else
   * is a URL, sent as vt-py's url_id (unpadded base64url of the text as typed).
   */
  async getUrl(urlOrId: string, options: { signal?: AbortSignal } = {}): Promise<VtObject> {
    const id = SHA256_HEX.test(urlOrId) ? urlOrId.toLowerCase() : urlId(urlOrId);
    return this.getObject(`/urls/${id}`, options);
  }

  /** GET /domains/{name}. */
  async getDomain(name: string, options: { signal?: AbortSignal } = {}): Promise<VtObject> {
    return this.getObject(`/domains/${pathSegment(name)}`, options);
  }

  /** GET /ip_addresses/{ip}; IPv6 colons stay as they are in the path, as aiohttp sends them. */
  async getIpAddress(ip: string, options: { signal?: AbortSignal } = {}): Promise<VtObject> {
    return this.getObject(`/ip_addresses/${pathSegment(ip)}`, options);
  }
}

function dataOf(body: unknown): unknown {
  if (!isRecord(body) || !('data' in body)) throw new VtProtocolError('response does not have a data field');
  return body.data;
}

function waitOptions(options: ScanFileOptions): WaitOptions {
  const wait: WaitOptions = {};
  if (options.pollMs !== undefined) wait.pollMs = options.pollMs;
  if (options.timeoutMs !== undefined) wait.timeoutMs = options.timeoutMs;
  if (options.signal !== undefined) wait.signal = options.signal;
  if (options.onStatus !== undefined) wait.onStatus = options.onStatus;
  return wait;
}
