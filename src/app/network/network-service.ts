/**
 * Domains and IP addresses: normalises the name, has the network pipeline enrich the object (intel
 * sources, URL engines: pipeline/network-pipeline.ts), and builds the views. A valid name never seen
 * before is looked up on first request rather than answered 404 as VirusTotal does: a private
 * service has no crawl to have seen it first (docs/intel.md).
 */
import { domainItemId, ipItemId } from '../../core/community-ids.js';
import { AppError } from '../../core/errors.js';
import type { NetworkObjectType } from '../../core/model/network-object.js';
import type { Store } from '../../store/ports/store.js';
import type { AppServices } from '../services.js';
import type { NetworkView } from './network-view.js';

export interface NetworkServiceDeps {
  store: Pick<Store, 'networkObjects' | 'resolutions' | 'popularity' | 'votes'>;
  /** Looks the object up and stores what changed (pipeline/network-pipeline.ts); absent: objects are only read. */
  enrich?: (type: NetworkObjectType, id: string, force: boolean) => Promise<void>;
}

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
  const enrich = deps.enrich ?? (async () => undefined);

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
