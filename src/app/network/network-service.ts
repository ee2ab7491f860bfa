/**
 * Domains and IP addresses: normalises the name, asks every intel source through the shared TTL
 * cache (so many requests for one name cause one query per source), merges what they found into the
 * object, records passive DNS, WHOIS and certificate history, and judges the host with the URL
 * engines (blocklists listing it, heuristics). A valid name never seen before is looked up on
 * first request rather than answered 404 as VirusTotal does: a private service has no crawl to
 * have seen it first (docs/intel.md).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { parse as parseDomain } from 'tldts';
import { domainItemId, ipItemId } from '../../core/community-ids.js';
import { AppError } from '../../core/errors.js';
import { toUnixSeconds } from '../../core/ids.js';
import type { IntelResult, IntelSource, IntelTarget, UrlEngine } from '../../core/plugin.js';
import { statsOf } from '../../core/verdict.js';
import { runUrlEngines } from '../../pipeline/url-pipeline.js';
import type { NetworkObjectType } from '../../core/model/network-object.js';
import type { Store } from '../../store/ports/store.js';
import type { AppServices } from '../services.js';
import type { NetworkView } from './network-view.js';

/** CachedIntel.lookup (src/intel/intel-cache.ts), injected so the app does not depend on a concrete cache. */
export type IntelLookup = (
  source: IntelSource,
  target: IntelTarget,
  signal: AbortSignal,
  options: { force?: boolean; budgetPerMinute?: number },
) => Promise<{ result: IntelResult; fetchedAt: number; fromCache: boolean; stale: boolean }>;

export interface NetworkServiceDeps {
  store: Pick<Store, 'networkObjects' | 'resolutions' | 'history' | 'popularity' | 'votes'>;
  sources: readonly IntelSource[];
  lookup: IntelLookup;
  /** The URL engines in force now; a domain or IP is judged by them as `http://<host>/`. */
  urlEngines: () => Promise<readonly UrlEngine[]>;
  /** Calls per minute per source across processes (default: dns 600, rdap 60, tls 120, geo unlimited). */
  budgets?: Record<string, number>;
  /** Bound for one object's lookups, all sources together. */
  timeoutMs?: number;
  now: () => number;
  logger: Logger;
}

const DEFAULT_BUDGETS: Record<string, number> = { dns: 600, rdap: 60, tls: 120 };
/** Addresses of a domain whose IP objects are enriched (geo, RDAP) along with it. */
const MAX_ADDRESSES_FOLLOWED = 4;

type NetworkService = AppServices['network'];

export function normaliseNetworkId(type: NetworkObjectType, raw: string): string {
  const id = type === 'domain' ? domainItemId(raw) : ipItemId(raw);
  if (id === undefined) {
    throw new AppError('InvalidArgumentError', type === 'domain' ? `"${raw}" is not a valid domain name` : `"${raw}" is not a valid IP address`);
  }
  return id;
}

export function createNetworkService(deps: NetworkServiceDeps): NetworkService {
  const { store } = deps;
  const budgets = { ...DEFAULT_BUDGETS, ...deps.budgets };
  /** What was last merged per object and source, so unchanged cached answers cost no write. */
  const merged = new Map<string, number>();

  const targetOf = (type: NetworkObjectType, id: string): IntelTarget => (type === 'domain' ? { kind: 'domain', name: id } : { kind: 'ip', address: id });
  const kindOf = (type: NetworkObjectType) => (type === 'domain' ? 'domain' : 'ip');

  async function ask(type: NetworkObjectType, id: string, force: boolean, signal: AbortSignal) {
    const sources = deps.sources.filter((s) => s.manifest.accepts.kinds.includes(kindOf(type)) && s.status().ready);
    return Promise.all(
      sources.map(async (source) => {
        try {
          const found = await deps.lookup(source, targetOf(type, id), signal, { force, budgetPerMinute: budgets[source.manifest.name] });
          return { source: source.manifest.name, ...found };
        } catch (error) {
          deps.logger.warn({ source: source.manifest.name, [type]: id, err: error instanceof Error ? error.message : String(error) }, 'intel source gave no answer');
          return undefined;
        }
      }),
    );
  }

  /** Looks the object up (sources, engines) and stores what changed; returns nothing: the caller reads the object back. */
  async function enrich(type: NetworkObjectType, id: string, force: boolean, depth = 0): Promise<void> {
    const signal = AbortSignal.timeout(deps.timeoutMs ?? 30_000);
    const at = toUnixSeconds(deps.now());
    const answers = (await ask(type, id, force, signal)).filter((a) => a !== undefined);
    const attributes: Record<string, unknown> = {};
    let changed = force || !(await store.networkObjects.get(type, id));
    for (const answer of answers) {
      const key = `${type}\0${id}\0${answer.source}`;
      if (merged.get(key) !== answer.fetchedAt) changed = true;
      merged.set(key, answer.fetchedAt);
      Object.assign(attributes, answer.result.attributes);
    }
    if (!changed) return;

    const resolutions = answers.flatMap((a) => a.result.resolutions ?? []);
    if (resolutions.length > 0) await store.resolutions.record(resolutions.map((r) => ({ ...r, at })));
    await recordHistory(type, id, attributes, at);
    if (type === 'domain') attributes.tld = parseDomain(id).publicSuffix ?? id.split('.').at(-1);
    const results = await runUrlEngines(await deps.urlEngines(), { url: `http://${type === 'ip_address' && id.includes(':') ? `[${id}]` : id}/`, canonicalUrl: `http://${id}/`, host: id }, signal, deps.logger);
    Object.assign(attributes, {
      last_analysis_results: Object.fromEntries(results.map((r) => [r.engine_name, r])),
      last_analysis_stats: statsOf(results),
      last_analysis_date: at,
      categories: Object.fromEntries(results.filter((r) => r.category === 'malicious' || r.category === 'suspicious').map((r) => [r.engine_name, r.result ?? r.category])),
    });
    await store.networkObjects.merge(type, id, attributes, at);

    // The addresses a domain resolves to become objects of their own (geo, RDAP), one level deep.
    if (type === 'domain' && depth === 0) {
      const addresses = [...new Set(resolutions.filter((r) => r.hostName === id).map((r) => r.ipAddress))].slice(0, MAX_ADDRESSES_FOLLOWED);
      await Promise.all(addresses.map((address) => enrich('ip_address', address, false, depth + 1).catch((error: unknown) => deps.logger.warn({ ip: address, err: String(error) }, 'enriching an address failed'))));
    }
  }

  /** WHOIS and certificates are kept each time they change (historical_whois, historical_ssl_certificates). */
  async function recordHistory(type: NetworkObjectType, id: string, attributes: Record<string, unknown>, at: number): Promise<void> {
    if (typeof attributes.whois === 'string' && attributes.whois !== '') {
      const content: Record<string, unknown> = { whois: attributes.whois };
      for (const key of ['registrar', 'creation_date', 'expiration_date', 'last_update_date', 'network', 'regional_internet_registry', 'country']) {
        if (attributes[key] !== undefined) content[key] = attributes[key];
      }
      const hash = createHash('sha256').update(attributes.whois).digest('hex');
      await store.history.record({ id: hash, kind: 'whois', itemType: type, itemId: id, content, at });
    }
    const cert = attributes.last_https_certificate as Record<string, unknown> | undefined;
    if (cert && typeof cert.thumbprint_sha256 === 'string') {
      await store.history.record({ id: cert.thumbprint_sha256, kind: 'ssl_cert', itemType: type, itemId: id, content: cert, at });
    }
  }

  async function view(type: NetworkObjectType, id: string): Promise<NetworkView> {
    const object = await store.networkObjects.get(type, id);
    if (!object) throw new AppError('TransientError', `No intelligence could be gathered for ${id}; try again later`);
    const [votes, popularityRanks] = await Promise.all([store.votes.totals({ type, id }), type === 'domain' ? store.popularity.ranksOf(id) : Promise.resolve({})]);
    return { object, votes, popularityRanks };
  }

  return {
    async get(type, raw) {
      const id = normaliseNetworkId(type, raw);
      await enrich(type, id, false);
      return view(type, id);
    },
    async refresh(type, raw) {
      const id = normaliseNetworkId(type, raw);
      await enrich(type, id, true);
      return view(type, id);
    },
    async resolution(id) {
      const resolution = await store.resolutions.get(id);
      if (!resolution) throw new AppError('NotFoundError', `Resolution "${id}" not found`);
      const [host, ip] = await Promise.all([store.networkObjects.get('domain', resolution.hostName), store.networkObjects.get('ip_address', resolution.ipAddress)]);
      const statsOfObject = (o: typeof host) => (o?.attributes.last_analysis_stats as Record<string, number> | undefined) ?? null;
      return { resolution, hostStats: statsOfObject(host), ipStats: statsOfObject(ip) };
    },
  };
}
