/**
 * Test support: a tiny Fastify server answering like VirusTotal v3 (upload_url flow, URL submission,
 * analyses that go queued -> in-progress -> completed, file, URL, domain and IP lookups, metadata,
 * error envelopes), recording what clients sent so tests can check it byte for byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

export interface ReceivedUpload {
  headers: IncomingHttpHeaders;
  /** The whole request body as received. */
  body: Buffer;
  /** How many body chunks the server read (more than one means it arrived in pieces). */
  chunks: number;
  boundary: string;
  /** Headers of the single part, as raw text. */
  partHeaders: string;
  file: Buffer;
  filename: string;
}

export interface FakeVtServer {
  url: string;
  apiKey: string;
  app: FastifyInstance;
  uploads: ReceivedUpload[];
  /** Raw request lines (`GET /api/v3/...?...`), in order. */
  requests: string[];
  /** File objects served by GET /files/{hash}, by sha256. */
  files: Map<string, Record<string, unknown>>;
  /** URL objects served by GET /urls/{id}, by id: sha256 of the URL text (the fake does not canonicalise). */
  urls: Map<string, Record<string, unknown>>;
  /** Domain objects served by GET /domains/{name}, by name. */
  domains: Map<string, Record<string, unknown>>;
  /** IP address objects served by GET /ip_addresses/{ip}, by address. */
  ipAddresses: Map<string, Record<string, unknown>>;
  /** Bodies of POST /urls as received, with their content type. */
  urlSubmissions: Array<{ contentType: string; body: string }>;
  close(): Promise<void>;
}

export interface FakeVtServerOptions {
  apiKey?: string;
  /** Statuses returned on successive polls of one analysis; the last one repeats. */
  statuses?: readonly string[];
  /** Per-engine verdicts for a file; default: ClamAV and YARA flag files containing "EICAR". */
  verdict?: (file: Buffer) => Record<string, { category: string; result: string | null }>;
  /** Per-engine verdicts for a URL; default: URLhaus flags URLs with "malware", OpenPhish those with "phish". */
  urlVerdict?: (url: string) => Record<string, { category: string; result: string | null }>;
  metadata?: unknown;
  /** Extra routes for a test (registered before listening). */
  routes?: (app: FastifyInstance) => void;
}

/** Key the fake answers with 429 QuotaExceededError, for testing error paths. */
export const OVER_QUOTA_KEY = 'over-quota-key';

const urlCategories = ['harmless', 'malicious', 'suspicious', 'undetected', 'timeout'];
const categories = ['malicious', 'suspicious', 'undetected', 'harmless', 'timeout', 'confirmed-timeout', 'failure', 'type-unsupported'];

function defaultVerdict(file: Buffer): Record<string, { category: string; result: string | null }> {
  const hit = file.includes('EICAR');
  return {
    ClamAV: hit ? { category: 'malicious', result: 'Eicar-Test-Signature' } : { category: 'undetected', result: null },
    YARA: hit ? { category: 'malicious', result: 'EICAR_test_file' } : { category: 'undetected', result: null },
    Heuristics: { category: 'undetected', result: null },
    Sandbox: { category: 'type-unsupported', result: null },
  };
}

function defaultUrlVerdict(url: string): Record<string, { category: string; result: string | null }> {
  return {
    URLhaus: url.includes('malware') ? { category: 'malicious', result: 'malware' } : { category: 'harmless', result: 'clean' },
    OpenPhish: url.includes('phish') ? { category: 'malicious', result: 'phishing' } : { category: 'harmless', result: 'clean' },
    'Assay URL heuristics': { category: 'undetected', result: 'unrated' },
  };
}

type Verdicts = Record<string, { category: string; result: string | null }>;

const statsOf = (results: Verdicts, keys: readonly string[]) =>
  Object.fromEntries(keys.map((c) => [c, Object.values(results).filter((r) => r.category === c).length]));

export function vtError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

/** Splits a one-part multipart body exactly, without normalising anything. */
function parseSinglePart(body: Buffer, boundary: string): { partHeaders: string; file: Buffer; filename: string } {
  const open = Buffer.from(`--${boundary}\r\n`);
  const close = Buffer.from(`\r\n--${boundary}--\r\n`);
  if (!body.subarray(0, open.length).equals(open)) throw new Error('body does not start with the boundary');
  if (!body.subarray(body.length - close.length).equals(close)) throw new Error('body does not end with the closing boundary');
  const headerEnd = body.indexOf('\r\n\r\n', open.length);
  if (headerEnd < 0) throw new Error('part has no header end');
  const partHeaders = body.subarray(open.length, headerEnd).toString('utf8');
  const file = body.subarray(headerEnd + 4, body.length - close.length);
  const filename = /filename="([^"]*)"/.exec(partHeaders)?.[1] ?? '';
  return { partHeaders, file, filename };
}

export async function startFakeVtServer(options: FakeVtServerOptions = {}): Promise<FakeVtServer> {
  const apiKey = options.apiKey ?? randomBytes(16).toString('hex');
  const statuses = options.statuses ?? ['queued', 'in-progress', 'completed'];
  const verdict = options.verdict ?? defaultVerdict;
  const urlVerdict = options.urlVerdict ?? defaultUrlVerdict;
  const app = Fastify({ logger: false });
  const uploads: ReceivedUpload[] = [];
  const requests: string[] = [];
  const files = new Map<string, Record<string, unknown>>();
  const urls = new Map<string, Record<string, unknown>>();
  const domains = new Map<string, Record<string, unknown>>();
  const ipAddresses = new Map<string, Record<string, unknown>>();
  const urlSubmissions: Array<{ contentType: string; body: string }> = [];
  /** Results and stats once completed, and the `meta` the analysis answers with. */
  const analyses = new Map<string, { polls: number; date: number; results: Verdicts; statKeys: readonly string[]; meta: Record<string, unknown>; engineVersions: boolean }>();
  const uploadTokens = new Set<string>();
  let url = '';

  // The body is handed over untouched so the test sees exactly what went over the wire.
  app.addContentTypeParser('multipart/form-data', (_req, payload, done) => done(null, payload));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    requests.push(`${req.method} ${req.url}`);
    const key = req.headers['x-apikey'];
    if (key === undefined) return vtError(reply, 401, 'AuthenticationRequiredError', 'X-Apikey header is missing');
    if (key === OVER_QUOTA_KEY) return vtError(reply, 429, 'QuotaExceededError', 'Quota exceeded');
    if (key !== apiKey) return vtError(reply, 401, 'WrongCredentialsError', 'Wrong API key');
  });

  app.get('/api/v3/files/upload_url', async () => {
    const token = randomBytes(8).toString('hex');
    uploadTokens.add(token);
    return { data: `${url}/upload/${token}` };
  });

  app.post<{ Params: { token: string } }>('/upload/:token', async (req, reply) => {
    if (!uploadTokens.delete(req.params.token)) return vtError(reply, 404, 'NotFoundError', 'unknown upload URL');
    const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '')?.[1];
    if (!boundary) return vtError(reply, 400, 'BadRequestError', 'no multipart boundary');
    const parts: Buffer[] = [];
    for await (const chunk of req.body as Readable) parts.push(chunk as Buffer);
    const body = Buffer.concat(parts);
    let part: ReturnType<typeof parseSinglePart>;
    try {
      part = parseSinglePart(body, boundary);
    } catch (err) {
      return vtError(reply, 400, 'BadRequestError', (err as Error).message);
    }
    uploads.push({ headers: req.headers, body, chunks: parts.length, boundary, ...part });

    const md5 = createHash('md5').update(part.file).digest('hex');
    const sha1 = createHash('sha1').update(part.file).digest('hex');
    const sha256 = createHash('sha256').update(part.file).digest('hex');
    const date = Math.floor(Date.now() / 1000);
    // VT's file analysis id: padded base64 of "<md5>:<unix ts>"; the "==" checks path encoding.
    const id = Buffer.from(`${md5}:${date}${analyses.size}`).toString('base64');
    const results = verdict(part.file);
    analyses.set(id, {
      polls: 0,
      date,
      results,
      statKeys: categories,
      meta: { file_info: { sha256, sha1, md5, size: part.file.length } },
      engineVersions: true,
    });
    const stats = statsOf(results, categories);
    files.set(sha256, {
      type: 'file',
      id: sha256,
      links: { self: `${url}/api/v3/files/${sha256}` },
      attributes: {
        md5,
        sha1,
        sha256,
        size: part.file.length,
        names: [part.filename],
        last_analysis_date: date,
        last_analysis_stats: stats,
        last_analysis_results: Object.fromEntries(Object.entries(results).map(([engine, r]) => [engine, { engine_name: engine, method: 'blacklist', ...r }])),
      },
    });
    return { data: { type: 'analysis', id, links: { self: `${url}/api/v3/analyses/${id}` } } };
  });

  app.get<{ Params: { id: string } }>('/api/v3/analyses/:id', async (req, reply) => {
    const analysis = analyses.get(req.params.id);
    if (!analysis) return vtError(reply, 404, 'NotFoundError', `Analysis "${req.params.id}" not found`);
    const status = statuses[Math.min(analysis.polls, statuses.length - 1)]!;
    analysis.polls += 1;
    const results = status === 'completed' ? analysis.results : {};
    // VT gives engine_version and engine_update for file engines only.
    const versions = analysis.engineVersions ? { engine_version: '1.0', engine_update: '20250101' } : {};
    return {
      data: {
        type: 'analysis',
        id: req.params.id,
        links: { self: `${url}/api/v3/analyses/${req.params.id}` },
        attributes: {
          date: analysis.date,
          status,
          stats: statsOf(results, analysis.statKeys),
          results: Object.fromEntries(
            Object.entries(results).map(([engine, r]) => [engine, { engine_name: engine, method: 'blacklist', ...versions, ...r }]),
          ),
        },
      },
      meta: analysis.meta,
    };
  });

  app.post('/api/v3/urls', async (req, reply) => {
    const contentType = req.headers['content-type'] ?? '';
    const body = typeof req.body === 'string' ? req.body : '';
    urlSubmissions.push({ contentType, body });
    const submitted = new URLSearchParams(body).get('url');
    if (!submitted) return vtError(reply, 400, 'InvalidArgumentError', 'url field is required');
    const id = createHash('sha256').update(submitted).digest('hex');
    const date = Math.floor(Date.now() / 1000);
    const analysisId = `u-${id}-${date}-${analyses.size}`;
    const results = urlVerdict(submitted);
    analyses.set(analysisId, { polls: 0, date, results, statKeys: urlCategories, meta: { url_info: { id, url: submitted } }, engineVersions: false });
    const previous = urls.get(id)?.attributes as Record<string, unknown> | undefined;
    urls.set(id, {
      type: 'url',
      id,
      links: { self: `${url}/api/v3/urls/${id}` },
      attributes: {
        url: submitted,
        last_final_url: submitted,
        title: 'Example page',
        last_http_response_code: 200,
        redirection_chain: [submitted],
        first_submission_date: (previous?.first_submission_date as number | undefined) ?? date,
        last_submission_date: date,
        last_analysis_date: date,
        times_submitted: ((previous?.times_submitted as number | undefined) ?? 0) + 1,
        last_analysis_stats: statsOf(results, urlCategories),
        last_analysis_results: Object.fromEntries(Object.entries(results).map(([engine, r]) => [engine, { engine_name: engine, method: 'blacklist', ...r }])),
      },
    });
    return { data: { type: 'analysis', id: analysisId, links: { self: `${url}/api/v3/analyses/${analysisId}` } } };
  });

  app.get<{ Params: { id: string } }>('/api/v3/urls/:id', async (req, reply) => {
    // Either form of VT's URL id: a sha256, or unpadded base64url of the URL text.
    const raw = req.params.id;
    const id = /^[0-9a-f]{64}$/i.test(raw) ? raw.toLowerCase() : createHash('sha256').update(Buffer.from(raw, 'base64url').toString('utf8')).digest('hex');
    const found = urls.get(id);
    if (!found) return vtError(reply, 404, 'NotFoundError', `URL "${raw}" not found`);
    return { data: found };
  });

  app.get<{ Params: { name: string } }>('/api/v3/domains/:name', async (req, reply) => {
    const found = domains.get(req.params.name.toLowerCase());
    if (!found) return vtError(reply, 404, 'NotFoundError', `Domain "${req.params.name}" not found`);
    return { data: found };
  });

  app.get<{ Params: { ip: string } }>('/api/v3/ip_addresses/:ip', async (req, reply) => {
    const found = ipAddresses.get(req.params.ip);
    if (!found) return vtError(reply, 404, 'NotFoundError', `IP address "${req.params.ip}" not found`);
    return { data: found };
  });

  app.get<{ Params: { hash: string } }>('/api/v3/files/:hash', async (req, reply) => {
    const hash = req.params.hash.toLowerCase();
    const file = [...files.values()].find((f) => {
      const a = f.attributes as Record<string, unknown>;
      return a.sha256 === hash || a.sha1 === hash || a.md5 === hash;
    });
    if (!file) return vtError(reply, 404, 'NotFoundError', `File "${req.params.hash}" not found`);
    return { data: file };
  });

  app.get('/api/v3/metadata', async () => ({
    // Shaped like src/api/routes/metadata.ts: the plugin manifest plus readiness, keyed by name.
    data: options.metadata ?? {
      engines: {
        ClamAV: { name: 'ClamAV', version: '0.1.0', ready: true, detail: 'clamd on /run/clamd.sock', engine_version: '1.4.6', engine_update: '27500' },
        YARA: { name: 'YARA', version: '0.1.0', ready: true, detail: null, engine_version: '0.3.0', engine_update: 'rules-2025.01' },
        Sandbox: { name: 'Sandbox', version: '0.1.0', ready: false, detail: 'no sandbox configured', engine_version: null, engine_update: null },
      },
      analyzers: { filetype: { name: 'filetype', version: '1.0.0', ready: true, detail: null, engine_version: null, engine_update: null } },
      relationships: {},
      privileges: [],
    },
  }));

  options.routes?.(app);

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  url = address;
  return { url, apiKey, app, uploads, requests, files, urls, domains, ipAddresses, urlSubmissions, close: () => app.close() };
}
