// The fake AppServices' URLs, domains, IP addresses, resolutions and relationships: in memory, with the real id rules and errors.
import { Readable } from 'node:stream';
import { unknownGraphRelationship, type RelatedObject } from '../../app/graph/graph-service.js';
import { relationshipSpec, type GraphOwner } from '../../app/graph/relationship-catalog.js';
import type { NetworkView } from '../../app/network/network-view.js';
import type { AppServices } from '../../app/services.js';
import type { UrlView } from '../../app/urls/url-service.js';
import { domainItemId, ipItemId } from '../../core/community-ids.js';
import { AppError } from '../../core/errors.js';
import { canonicalizeUrl } from '../../core/url-canonical.js';
import { parseUrlIdentifier, urlAnalysisId, urlIdOf } from '../../core/url-ids.js';
import { emptyStats, statsOf, type EngineResult } from '../../core/verdict.js';
import type { Analysis } from '../../core/model/analysis.js';
import type { VoteTotals } from '../../core/model/community.js';
import type { NetworkObject, NetworkObjectType, Resolution } from '../../core/model/network-object.js';
import type { UrlObject } from '../../core/model/url.js';
import { pageOf } from './fake-pages.js';

export interface FakeNetworkState {
  urls: Map<string, UrlObject>;
  /** PNG bytes by URL id. */
  screenshots: Map<string, Buffer>;
  /** `<type>:<id>` of URLs, domains and IPs. */
  votes: Map<string, VoteTotals>;
  /** `<type>:<id>`. */
  networkObjects: Map<string, NetworkObject>;
  popularity: Map<string, Record<string, { rank: number; timestamp: number }>>;
  resolutions: Map<string, { resolution: Resolution; hostStats: Record<string, number> | null; ipStats: Record<string, number> | null }>;
  /** `<owner>:<id>:<name>` -> related objects, in the order pages give them. */
  related: Map<string, RelatedObject[]>;
  /** `<type>:<id>` of every POST .../analyse of a domain or IP. */
  refreshed: string[];
}

/** What the fake needs from the rest of the fake services. */
export interface FakeNetworkHost {
  analyses: Map<string, Analysis>;
  now(): number;
  /** A fresh suffix, so two analyses in one second get distinct ids. */
  nextSeq(): number;
}

export const emptyNetworkState = (): FakeNetworkState => ({
  urls: new Map(),
  screenshots: new Map(),
  votes: new Map(),
  networkObjects: new Map(),
  popularity: new Map(),
  resolutions: new Map(),
  related: new Map(),
  refreshed: [],
});

const noVotes: VoteTotals = { harmless: 0, malicious: 0, reputation: 0 };

/** A URL identifier as the real URL service reads it: sha256 as is, base64url canonicalised and hashed. */
export function fakeUrlIdOf(id: string): string {
  const parsed = parseUrlIdentifier(id);
  return parsed.kind === 'sha256' ? parsed.id : urlIdOf(canonicalizeUrl(parsed.url).canonical);
}

/** As the network service normalises: punycode, canonical IPv6; InvalidArgumentError otherwise. */
export function fakeNetworkIdOf(type: NetworkObjectType, raw: string): string {
  const id = type === 'domain' ? domainItemId(raw) : ipItemId(raw);
  if (id === undefined) throw new AppError('InvalidArgumentError', type === 'domain' ? `"${raw}" is not a valid domain name` : `"${raw}" is not a valid IP address`);
  return id;
}

export interface FakeNetworkServices {
  urls: AppServices['urls'];
  network: AppServices['network'];
  graph: AppServices['graph'];
  /** The item of a URL analysis, as analyses.get gives it. */
  urlView(id: string): UrlView;
  /** Submits a URL and completes an analysis per result set (oldest first); returns the record. */
  seedUrl(url: string, options?: { analyses?: EngineResult[][]; attributes?: Record<string, unknown>; screenshot?: Buffer }): UrlObject;
  seedNetworkObject(type: NetworkObjectType, id: string, attributes?: Record<string, unknown>): NetworkObject;
  /** Items of one relationship of one object, in page order. */
  seedRelated(owner: GraphOwner, id: string, name: string, items: RelatedObject[]): void;
  votesOf(type: string, id: string): VoteTotals;
}

export function createFakeNetworkServices(state: FakeNetworkState, host: FakeNetworkHost): FakeNetworkServices {
  const votesOf = (type: string, id: string): VoteTotals => state.votes.get(`${type}:${id}`) ?? noVotes;

  function findUrl(id: string): UrlObject {
    const url = state.urls.get(fakeUrlIdOf(id));
    if (!url) throw new AppError('NotFoundError', `URL "${id}" not found`);
    return url;
  }

  function recordUrl(raw: string): UrlObject {
    if (raw.trim() === '') throw new AppError('InvalidArgumentError', 'The "url" field is missing or empty');
    const { canonical } = canonicalizeUrl(raw);
    const id = urlIdOf(canonical);
    const existing = state.urls.get(id);
    if (existing) {
      existing.timesSubmitted += 1;
      existing.lastSubmissionDate = host.now();
      return existing;
    }
    const url: UrlObject = {
      id,
      url: raw.trim(),
      canonicalUrl: canonical,
      timesSubmitted: 1,
      firstSubmissionDate: host.now(),
      lastSubmissionDate: host.now(),
      attributes: {},
      tags: [],
      lastAnalysisId: null,
      lastAnalysisDate: null,
      lastAnalysisResults: null,
      lastAnalysisStats: null,
    };
    state.urls.set(id, url);
    return url;
  }

  function createAnalysis(url: UrlObject, results: EngineResult[] | null): Analysis {
    const seq = host.nextSeq();
    const date = host.now() + seq;
    const analysis: Analysis = {
      id: urlAnalysisId(url.id, date, String(seq)),
      itemType: 'url',
      itemId: url.id,
      status: results ? 'completed' : 'queued',
      date,
      results: results ?? [],
      stats: results ? statsOf(results) : emptyStats(),
      completedAt: results ? date : null,
    };
    host.analyses.set(analysis.id, analysis);
    if (results) Object.assign(url, { lastAnalysisId: analysis.id, lastAnalysisDate: date, lastAnalysisResults: results, lastAnalysisStats: analysis.stats });
    return analysis;
  }

  function networkObject(type: NetworkObjectType, id: string): NetworkObject {
    const key = `${type}:${id}`;
    let object = state.networkObjects.get(key);
    if (!object) {
      // A valid name never seen before is looked up, never NotFoundError.
      object = { type, id, attributes: {}, tags: [], firstSeenDate: host.now(), lastModificationDate: host.now() };
      state.networkObjects.set(key, object);
    }
    return object;
  }

  const view = (object: NetworkObject): NetworkView => ({
    object,
    votes: votesOf(object.type, object.id),
    popularityRanks: object.type === 'domain' ? (state.popularity.get(object.id) ?? {}) : {},
  });

  const ownerIdOf = (owner: GraphOwner, id: string): string => (owner === 'file' ? id : owner === 'url' ? fakeUrlIdOf(id) : fakeNetworkIdOf(owner, id));

  return {
    urls: {
      async submit(raw) {
        const url = recordUrl(raw);
        return { analysisId: createAnalysis(url, null).id, urlId: url.id };
      },
      async get(id) {
        const url = findUrl(id);
        return { url, votes: votesOf('url', url.id) };
      },
      async reanalyse(id) {
        const url = findUrl(id);
        return { analysisId: createAnalysis(url, null).id, urlId: url.id };
      },
      async listAnalyses(id, _principal, page) {
        const url = findUrl(id);
        const all = [...host.analyses.values()].filter((a) => a.itemType === 'url' && a.itemId === url.id).sort((a, b) => b.date - a.date);
        return pageOf(all, page);
      },
      async screenshot(id) {
        const png = state.screenshots.get(findUrl(id).id);
        if (!png) throw new AppError('NotFoundError', `No screenshot of URL "${id}"`);
        return { stream: Readable.from([png]), size: png.length };
      },
    },
    network: {
      async get(type, raw) {
        return view(networkObject(type, fakeNetworkIdOf(type, raw)));
      },
      async refresh(type, raw) {
        const object = networkObject(type, fakeNetworkIdOf(type, raw));
        object.lastModificationDate = host.now();
        state.refreshed.push(`${type}:${object.id}`);
        return view(object);
      },
      async resolution(id) {
        const found = state.resolutions.get(id);
        if (!found) throw new AppError('NotFoundError', `Resolution "${id}" not found`);
        return found;
      },
    },
    graph: {
      async list(owner, id, name, _principal, page) {
        if (!relationshipSpec(owner, name)) throw unknownGraphRelationship(owner, name);
        return pageOf(state.related.get(`${owner}:${ownerIdOf(owner, id)}:${name}`) ?? [], page);
      },
    },
    urlView(id) {
      const url = findUrl(id);
      return { url, votes: votesOf('url', url.id) };
    },
    seedUrl(raw, options = {}) {
      const url = recordUrl(raw);
      Object.assign(url.attributes, options.attributes ?? {});
      for (const results of options.analyses ?? []) createAnalysis(url, results);
      if (options.screenshot) state.screenshots.set(url.id, options.screenshot);
      return url;
    },
    seedNetworkObject(type, id, attributes = {}) {
      const object = networkObject(type, fakeNetworkIdOf(type, id));
      Object.assign(object.attributes, attributes);
      return object;
    },
    seedRelated(owner, id, name, items) {
      state.related.set(`${owner}:${ownerIdOf(owner, id)}:${name}`, items);
    },
    votesOf,
  };
}
