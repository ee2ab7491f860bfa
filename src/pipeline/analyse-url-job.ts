/**
 * The job that analyses one submitted URL: fetch it through the safe fetcher (a refusal is recorded,
 * not fatal), submit the response body as a file through the intake and analyse it inline, run the
 * URL engines, record what the fetch showed (redirects, addresses, resolutions) as relationships,
 * and complete the analysis once.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { parse as parseDomain } from 'tldts';
import { toUnixSeconds } from '../core/ids.js';
import type { FetchedPage } from '../core/plugin.js';
import { canonicalizeUrl } from '../core/url-canonical.js';
import { urlIdOf } from '../core/url-ids.js';
import { statsOf, type EngineResult } from '../core/verdict.js';
import type { FileObject } from '../core/model/file.js';
import type { RelatedType, RelationEdge } from '../core/model/relation.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { Store } from '../store/ports/store.js';
import { analyseFile } from './analyse-file-job.js';
import type { DownloadIntake } from './download-intake.js';
import { outcomeText, unansweredResult } from './engine-results.js';
import type { FilePipeline } from './file-pipeline.js';
import type { PageFetcher, FetchOutcome } from './page-fetcher.js';
import type { PluginHost } from './plugin-host.js';
import { runUrlEngines } from './url-pipeline.js';

/** Which analysis of which URL (the `analyse-url` job's payload, see worker/job-kinds.ts). */
export interface UrlAnalysisRequest {
  analysisId: string;
  urlId: string;
}

export interface AnalyseUrlDeps {
  store: Pick<Store, 'files' | 'urls' | 'analyses' | 'networkObjects' | 'relations' | 'resolutions'>;
  blobs: BlobStore;
  /** Records the downloaded body as a file, like any other submission (app/intake, wired in bootstrap). */
  intake: DownloadIntake;
  filePipeline: FilePipeline;
  /** Runs the URL engines (one blocklist per imported feed: the set changes while the service runs) and the page capturers (screenshots). */
  host: PluginHost;
  /** Absent: URLs are not fetched (only the URL engines judge them). */
  fetcher?: PageFetcher;
  /** What an HTML page says about itself (title, html_meta, outgoing_links, trackers): page-analyzers/html-page, wired in bootstrap. */
  pageFacts: (html: string, pageUrl: string, nowSeconds: number) => object;
  logger: Logger;
  now: () => number;
}

export type AnalyseUrlResult = 'completed' | 'already-completed' | 'missing';

/** Response bodies are decoded for the page facts and engines only up to this size. */
const MAX_DECODED_BODY = 4 * 1024 * 1024;

export async function analyseUrl(deps: AnalyseUrlDeps, payload: UrlAnalysisRequest, signal: AbortSignal): Promise<AnalyseUrlResult> {
  const { store } = deps;
  const analysis = await store.analyses.get(payload.analysisId);
  if (!analysis) return 'missing';
  if (analysis.status === 'completed') return 'already-completed';
  const url = await store.urls.get(payload.urlId);
  if (!url) return 'missing';
  await store.analyses.markInProgress(analysis.id);
  const at = toUnixSeconds(deps.now());
  const { host } = canonicalizeUrl(url.canonicalUrl);

  // The canonical form, not the URL as typed: `example.com/x` has no scheme and only gets `http://` there.
  const fetched = deps.fetcher ? await deps.fetcher.fetch(url.canonicalUrl, signal) : undefined;
  const body = fetched?.ok && fetched.body.length > 0 ? await analyseBody(deps, url.id, fetched, signal) : undefined;

  const page: FetchedPage | undefined = fetched?.ok
    ? {
        finalUrl: fetched.finalUrl,
        statusCode: fetched.statusCode,
        headers: fetched.headers,
        bodyText: body ? decode(fetched.body) : undefined,
        bodySha256: body?.file.sha256,
        bodyVerdicts: body?.results.map((r) => ({ engine: r.engine_name, category: r.category, result: r.result })),
      }
    : undefined;

  const engineResults = await runUrlEngines(deps.host, { url: url.url, canonicalUrl: url.canonicalUrl, host, page }, signal, deps.logger);
  const results = [...engineResults, ...bodyVerdictsAsUrlResults(body?.results ?? [], engineResults)];
  const attributes = urlAttributes(deps.pageFacts, url.url, host, fetched, page, body?.file, results, at);

  const screenshot = fetched?.ok && isHtml(fetched.headers) ? await captureScreenshot(deps, fetched.finalUrl, at, signal) : undefined;
  if (screenshot) attributes.last_screenshot = screenshot;

  await recordNetwork(deps, url.id, host, fetched, body?.file, at);
  const completed = await store.analyses.completeUrlAnalysis({
    analysisId: analysis.id,
    urlId: url.id,
    results,
    stats: statsOf(results),
    attributes,
    tags: tagsOf(host, fetched),
    at,
  });
  return completed ? 'completed' : 'already-completed';
}

/** Submits the body as a file and analyses it with the file engines, inline: the URL verdict needs theirs. */
async function analyseBody(
  deps: AnalyseUrlDeps,
  urlId: string,
  fetched: Extract<FetchOutcome, { ok: true }>,
  signal: AbortSignal,
): Promise<{ file: FileObject; results: EngineResult[] }> {
  const { store, blobs } = deps;
  const { analysisId, sha256 } = await deps.intake.submitDownload(fetched.body, { urlId, name: nameFromUrl(fetched.finalUrl) });
  await analyseFile({ store, blobs, pipeline: deps.filePipeline, logger: deps.logger, now: deps.now }, { analysisId, sha256 }, signal);
  const done = await store.analyses.get(analysisId);
  const file = await store.files.findByHash('sha256', sha256);
  if (!file) throw new Error(`The downloaded file ${sha256} was not recorded`);
  return { file, results: done?.results ?? [] };
}

/**
 * A file engine that finds the body malicious makes the URL malicious under the same engine name
 * (EICAR served by a site: ClamAV says the URL serves malware). Clean bodies add nothing: the
 * engine did not judge the URL itself.
 */
function bodyVerdictsAsUrlResults(fileResults: readonly EngineResult[], urlResults: readonly EngineResult[]): EngineResult[] {
  const taken = new Set(urlResults.map((r) => r.engine_name));
  return fileResults
    .filter((r) => (r.category === 'malicious' || r.category === 'suspicious') && !taken.has(r.engine_name))
    .map((r) => ({
      engine_name: r.engine_name,
      category: r.category,
      result: r.category === 'malicious' ? 'malware' : 'suspicious',
      method: 'blacklist',
      engine_version: r.engine_version,
      engine_update: r.engine_update,
    }));
}

function urlAttributes(
  pageFacts: AnalyseUrlDeps['pageFacts'],
  submitted: string,
  host: string,
  fetched: FetchOutcome | undefined,
  page: FetchedPage | undefined,
  bodyFile: FileObject | undefined,
  results: readonly EngineResult[],
  at: number,
): Record<string, unknown> {
  const parsed = parseDomain(host);
  const attributes: Record<string, unknown> = {
    tld: isIP(host) ? '' : (parsed.publicSuffix ?? host.split('.').at(-1) ?? ''),
    categories: Object.fromEntries(results.filter((r) => r.category === 'malicious' || r.category === 'suspicious').map((r) => [r.engine_name, r.result ?? r.category])),
    threat_names: [...new Set(results.filter((r) => r.category === 'malicious' && r.result && !['malware', 'malicious', 'phishing', 'suspicious'].includes(r.result)).map((r) => r.result!))],
    last_fetch_date: at,
  };
  if (!fetched) return { ...attributes, last_fetch_error: { reason: 'fetching-disabled', message: 'URL fetching is off in this deployment' } };
  attributes.redirection_chain = [submitted, ...fetched.chain.slice(1).map((hop) => hop.url)];
  if (!fetched.ok) return { ...attributes, last_fetch_error: { reason: fetched.reason, message: fetched.message } };
  Object.assign(attributes, {
    last_final_url: fetched.finalUrl,
    last_http_response_code: fetched.statusCode,
    last_http_response_headers: fetched.headers,
    last_http_response_content_length: fetched.body.length,
    last_http_response_content_sha256: bodyFile?.sha256 ?? createHash('sha256').update(fetched.body).digest('hex'),
    ...(fetched.truncated ? { last_http_response_truncated: true } : {}),
  });
  if (page?.bodyText !== undefined && isHtml(fetched.headers)) {
    const facts = pageFacts(page.bodyText, fetched.finalUrl, at);
    Object.assign(attributes, facts);
  }
  if (fetched.headers['set-cookie']) attributes.last_http_response_cookies = cookiesOf(fetched.headers['set-cookie']);
  return attributes;
}

/** Edges the fetch showed, both ways where VT has both names, and the domains, IPs and resolutions behind them. */
async function recordNetwork(
  deps: AnalyseUrlDeps,
  urlId: string,
  host: string,
  fetched: FetchOutcome | undefined,
  bodyFile: FileObject | undefined,
  at: number,
): Promise<void> {
  const { store } = deps;
  const edges: Array<Omit<RelationEdge, 'firstSeen' | 'lastSeen'> & { at: number }> = [];
  const edge = (fromType: RelatedType, fromId: string, name: string, toType: RelatedType, toId: string) =>
    edges.push({ fromType, fromId, name, toType, toId, source: 'url-fetch', at });
  const hostType = (h: string): 'domain' | 'ip_address' => (isIP(h) ? 'ip_address' : 'domain');

  await store.networkObjects.merge(hostType(host), host, {}, at);
  edge('url', urlId, 'network_location', hostType(host), host);
  edge(hostType(host), host, 'urls', 'url', urlId);

  if (fetched) {
    // Each hop after the first is a URL of its own, redirected to by the one before it.
    let previous = urlId;
    for (const hop of fetched.chain.slice(1)) {
      const next = canonicalizeUrl(hop.url);
      const nextId = urlIdOf(next.canonical);
      await store.urls.recordSubmission({ id: nextId, url: hop.url, canonicalUrl: next.canonical, at });
      if (nextId !== previous) {
        edge('url', previous, 'redirects_to', 'url', nextId);
        edge('url', nextId, 'redirecting_urls', 'url', previous);
      }
      previous = nextId;
    }
    for (const hop of fetched.chain) {
      const hopHost = canonicalizeUrl(hop.url).host;
      await store.networkObjects.merge(hostType(hopHost), hopHost, {}, at);
      await store.networkObjects.merge('ip_address', hop.address, {}, at);
      edge('url', urlId, hostType(hopHost) === 'domain' ? 'contacted_domains' : 'contacted_ips', hostType(hopHost), hopHost);
      edge('url', urlId, 'contacted_ips', 'ip_address', hop.address);
      if (hopHost !== host) edge(hostType(hopHost), hopHost, 'urls', 'url', urlId);
    }
    const last = fetched.chain.at(-1);
    if (last) edge('url', urlId, 'last_serving_ip_address', 'ip_address', last.address);
    if (fetched.resolutions.length > 0) {
      await store.resolutions.record(fetched.resolutions.map((r) => ({ hostName: r.hostName, ipAddress: r.ipAddress, resolver: 'assay-fetch', at })));
    }
    if (bodyFile && last) {
      edge('url', urlId, 'downloaded_files', 'file', bodyFile.sha256);
      edge('url', urlId, 'http_response_contents', 'file', bodyFile.sha256);
      edge('file', bodyFile.sha256, 'itw_urls', 'url', urlId);
      const servingHost = canonicalizeUrl(last.url).host;
      edge(hostType(servingHost), servingHost, 'downloaded_files', 'file', bodyFile.sha256);
      edge('ip_address', last.address, 'downloaded_files', 'file', bodyFile.sha256);
    }
  }
  await store.relations.upsert(dedupe(edges));
}

/** Bytes already in memory into the blob store under their sha256 (no-op when present). */
async function storeBytes(blobs: BlobStore, bytes: Buffer, sha256: string): Promise<void> {
  if (await blobs.has(sha256)) return;
  const staged = await blobs.stage();
  try {
    await blobs.withStagedFile(staged, (file) => writeFile(file, bytes));
    await blobs.commit(staged, sha256);
  } catch (error) {
    await blobs.discard(staged);
    throw error;
  }
}

const isHtml = (headers: Record<string, string>): boolean => /html/i.test(headers['content-type'] ?? 'text/html');

/** A PNG of the final page from the first ready capturer, kept as a blob (it is not a sample); none when Chromium is absent or fails. */
async function captureScreenshot(deps: AnalyseUrlDeps, url: string, at: number, signal: AbortSignal): Promise<{ sha256: string; size: number; date: number } | undefined> {
  const { host } = deps;
  const [capturer] = host.route(await host.current('page-capturer'), { kind: 'url' }).run;
  if (!capturer) return undefined;
  const outcome = await host.call('page-capturer', capturer, (s) => capturer.capture(url, s), signal);
  if (outcome.kind !== 'ok') {
    deps.logger.warn({ url, outcome: outcome.kind, err: outcomeText(outcome) }, 'no screenshot');
    return undefined;
  }
  const png = outcome.value.png;
  const sha256 = createHash('sha256').update(png).digest('hex');
  await storeBytes(deps.blobs, png, sha256);
  return { sha256, size: png.length, date: at };
}

function dedupe<T extends { fromType: string; fromId: string; name: string; toType: string; toId: string }>(edges: T[]): T[] {
  const seen = new Map<string, T>();
  for (const e of edges) seen.set(`${e.fromType}\0${e.fromId}\0${e.name}\0${e.toType}\0${e.toId}`, e);
  return [...seen.values()];
}

function tagsOf(host: string, fetched: FetchOutcome | undefined): string[] {
  const tags: string[] = [];
  if (isIP(host)) tags.push('ip');
  if (fetched?.ok && fetched.chain.length > 1) tags.push('redirect');
  if (fetched && !fetched.ok && fetched.reason === 'address-refused') tags.push('private-address');
  return tags;
}

function decode(body: Buffer): string {
  const slice = body.subarray(0, MAX_DECODED_BODY);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(slice);
  // Many replacement characters: not UTF-8; latin1 keeps byte values for pattern matching.
  return (text.match(/\uFFFD/g)?.length ?? 0) > slice.length / 100 ? slice.toString('latin1') : text;
}

function nameFromUrl(url: string): string | undefined {
  try {
    const last = decodeURIComponent(new URL(url).pathname.split('/').at(-1) ?? '');
    return last.length > 0 && last.length <= 255 ? last : undefined;
  } catch {
    return undefined;
  }
}

function cookiesOf(header: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of header.split(/,(?=\s*[^;,=\s]+=)/)) {
    const [pair] = part.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    if (Object.keys(cookies).length >= 50) break;
  }
  return cookies;
}

/**
 * Gives up on a URL analysis whose job kept failing: it completes with a `failure` entry for every
 * URL engine that would have answered, so clients polling it see an end instead of waiting forever (as for files).
 */
export async function abandonUrlAnalysis(
  deps: Pick<AnalyseUrlDeps, 'store' | 'now' | 'host'>,
  payload: UrlAnalysisRequest,
  reason: string,
): Promise<boolean> {
  const { host } = deps;
  const engines = host.answering((await host.current('url-engine')).filter((e) => e.manifest.accepts.kinds.includes('url')));
  const results: EngineResult[] = engines.map((engine) => unansweredResult('url-engine', engine, host.readiness(engine), 'failure'));
  return deps.store.analyses.completeUrlAnalysis({
    analysisId: payload.analysisId,
    urlId: payload.urlId,
    results,
    stats: statsOf(results),
    attributes: { last_fetch_error: { reason: 'analysis-failed', message: reason } },
    tags: [],
    at: toUnixSeconds(deps.now()),
  });
}
