/**
 * Enriches one domain or IP address: asks every intel source through the plugin host (the host puts
 * the shared TTL cache in front of them, so many requests for one name cause one query per source),
 * merges what they found into the object, records passive DNS, WHOIS and certificate history, and
 * judges the host with the URL engines (blocklists listing it, heuristics).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { parse as parseDomain } from 'tldts';
import { toUnixSeconds } from '../core/ids.js';
import type { IntelTarget } from '../core/plugin.js';
import { statsOf } from '../core/verdict.js';
import type { NetworkObjectType } from '../core/model/network-object.js';
import type { Store } from '../store/ports/store.js';
import { outcomeText } from './engine-results.js';
import type { PluginHost } from './plugin-host.js';
import { runUrlEngines } from './url-pipeline.js';

export interface NetworkPipelineDeps {
  store: Pick<Store, 'networkObjects' | 'resolutions' | 'history'>;
  host: PluginHost;
  /** Bound for one object's lookups, all sources together. */
  timeoutMs?: number;
  now: () => number;
  logger: Logger;
}

export interface NetworkPipeline {
  /** Looks the object up (sources, engines) and stores what changed; the caller reads the object back. */
  enrich(type: NetworkObjectType, id: string, force: boolean): Promise<void>;
}

/** Addresses of a domain whose IP objects are enriched (geo, RDAP) along with it. */
const MAX_ADDRESSES_FOLLOWED = 4;

export function createNetworkPipeline(deps: NetworkPipelineDeps): NetworkPipeline {
  const { store, host } = deps;
  /** What was last merged per object and source, so unchanged cached answers cost no write. */
  const merged = new Map<string, number>();

  const targetOf = (type: NetworkObjectType, id: string): IntelTarget => (type === 'domain' ? { kind: 'domain', name: id } : { kind: 'ip', address: id });

  async function ask(type: NetworkObjectType, id: string, force: boolean, signal: AbortSignal) {
    const { run } = host.route(await host.current('intel-source'), { kind: type === 'domain' ? 'domain' : 'ip' });
    return Promise.all(
      run.map(async (source) => {
        const outcome = await host.call('intel-source', source, (s) => source.lookup(targetOf(type, id), s, { force }), signal);
        if (outcome.kind === 'ok') return { source: source.manifest.name, result: outcome.value, fetchedAt: outcome.value.freshness?.fetchedAt ?? deps.now() };
        deps.logger.warn({ source: source.manifest.name, [type]: id, outcome: outcome.kind, err: outcomeText(outcome) }, 'intel source gave no answer');
        return undefined;
      }),
    );
  }

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
    const url = `http://${type === 'ip_address' && id.includes(':') ? `[${id}]` : id}/`;
    const results = await runUrlEngines(host, { url, canonicalUrl: `http://${id}/`, host: id }, signal, deps.logger);
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

  return { enrich: (type, id, force) => enrich(type, id, force) };
}
