// Renders domains, IP addresses, resolutions, WHOIS records and certificates as VirusTotal objects (vt-api-v3 §6.5, §8.3-8.5), with their schemas.
import type { NetworkView } from '../app/network/network-view.js';
import type { AnalysisStats } from '../core/verdict.js';
import type { VoteTotals } from '../core/model/community.js';
import type { HistoryEntry, NetworkObject, NetworkObjectType, Resolution } from '../core/model/network-object.js';
import type { Links, VtObject } from './envelope.js';
import { fullStats, safeAttributes } from './objects.js';
import { objectSchema, resultsSchema, statsSchema, totalVotesSchema } from './schemas.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const networkLink = (links: Links, type: NetworkObjectType, id: string): string => (type === 'domain' ? links.domain(id) : links.ipAddress(id));

/**
 * Stored intel attributes with the vote-derived and bookkeeping fields on top. An object known only
 * as the target of a relationship (`object` undefined) still gets stats, votes and tags.
 */
export function networkAttributes(
  object: NetworkObject | undefined,
  votes: VoteTotals,
  popularityRanks?: Record<string, { rank: number; timestamp: number }>,
): Record<string, unknown> {
  const stored = object?.attributes ?? {};
  return safeAttributes({
    ...stored,
    // The network service stores results keyed by engine already, as VT shows them.
    last_analysis_results: isRecord(stored.last_analysis_results) ? stored.last_analysis_results : {},
    last_analysis_stats: fullStats(isRecord(stored.last_analysis_stats) ? (stored.last_analysis_stats as Partial<AnalysisStats>) : null),
    reputation: votes.reputation,
    total_votes: { harmless: votes.harmless, malicious: votes.malicious },
    tags: object?.tags ?? [],
    first_seen_date: object?.firstSeenDate,
    last_modification_date: object?.lastModificationDate,
    popularity_ranks: popularityRanks,
  });
}

/** A domain or IP object as GET /domains/{d} and /ip_addresses/{ip} give it. */
export const networkObject = (links: Links, view: NetworkView): VtObject => ({
  type: view.object.type,
  id: view.object.id,
  links: { self: networkLink(links, view.object.type, view.object.id) },
  attributes: networkAttributes(view.object, view.votes, view.object.type === 'domain' ? view.popularityRanks : undefined),
});

/** A domain or IP reached through a relationship: popularity is not looked up for each one. */
export const relatedNetworkObject = (links: Links, type: NetworkObjectType, id: string, object: NetworkObject | undefined, votes: VoteTotals): VtObject => ({
  type,
  id,
  links: { self: networkLink(links, type, id) },
  attributes: networkAttributes(object, votes),
});

/** Stats of the host and address are left out where that object is unknown, rather than shown as zeros. */
export function resolutionObject(
  links: Links,
  resolution: Resolution,
  stats: { host: Record<string, number> | null; ip: Record<string, number> | null } = { host: null, ip: null },
): VtObject {
  return {
    type: 'resolution',
    id: resolution.id,
    links: { self: links.resolution(resolution.id) },
    attributes: safeAttributes({
      date: resolution.lastSeen,
      host_name: resolution.hostName,
      ip_address: resolution.ipAddress,
      resolver: resolution.resolver,
      host_name_last_analysis_stats: stats.host ? fullStats(stats.host) : undefined,
      ip_address_last_analysis_stats: stats.ip ? fullStats(stats.ip) : undefined,
    }),
  };
}

/**
 * Past WHOIS records and certificates have no endpoint of their own, so their link is the
 * relationship they are listed in, where a client can find them again.
 */
const historyLink = (links: Links, record: HistoryEntry): string =>
  `${networkLink(links, record.itemType, record.itemId)}/${record.kind === 'whois' ? 'historical_whois' : 'historical_ssl_certificates'}`;

/** `last_updated` is not a `_date` key on VT either; it is an integer all the same. */
export const whoisObject = (links: Links, record: HistoryEntry): VtObject => ({
  type: 'whois',
  id: record.id,
  links: { self: historyLink(links, record) },
  attributes: safeAttributes({ ...record.content, first_seen_date: record.firstSeen, last_updated: record.lastSeen }),
});

export const sslCertObject = (links: Links, record: HistoryEntry): VtObject => ({
  type: 'ssl_cert',
  id: record.id,
  links: { self: historyLink(links, record) },
  attributes: safeAttributes(record.content),
});

const stringList = { type: 'array', items: { type: 'string' } };
const unixSeconds = { type: 'integer', description: 'Unix seconds' };

const networkProperties = {
  last_analysis_date: unixSeconds,
  last_analysis_results: resultsSchema,
  last_analysis_stats: statsSchema,
  reputation: { type: 'integer' },
  total_votes: totalVotesSchema,
  tags: stringList,
  first_seen_date: { type: 'integer', description: 'Unix seconds: when Assay first saw it' },
  last_modification_date: unixSeconds,
  whois: { type: 'string', description: 'Raw text (from RDAP)' },
  whois_date: unixSeconds,
  last_https_certificate: { type: 'object', description: 'Certificate dict (vt-api-v3 §8.5)' },
  last_https_certificate_date: unixSeconds,
};

export const domainObjectSchema = objectSchema('domain', {
  type: 'object',
  description: 'VT domain attributes; intel sources add what they found.',
  additionalProperties: true,
  properties: {
    ...networkProperties,
    last_dns_records: { type: 'array', items: { type: 'object' } },
    last_dns_records_date: unixSeconds,
    registrar: { type: 'string' },
    creation_date: unixSeconds,
    expiration_date: unixSeconds,
    last_update_date: unixSeconds,
    categories: { type: 'object' },
    popularity_ranks: { type: 'object', additionalProperties: { type: 'object', properties: { rank: { type: 'integer' }, timestamp: unixSeconds } } },
    tld: { type: 'string' },
  },
});

export const ipAddressObjectSchema = objectSchema('ip_address', {
  type: 'object',
  description: 'VT ip_address attributes; intel sources add what they found.',
  additionalProperties: true,
  properties: {
    ...networkProperties,
    asn: { type: 'integer' },
    as_owner: { type: 'string' },
    country: { type: 'string', description: 'ISO 3166 alpha-2' },
    continent: { type: 'string' },
    network: { type: 'string', description: 'CIDR' },
    regional_internet_registry: { type: 'string' },
  },
});

export const resolutionObjectSchema = objectSchema('resolution', {
  type: 'object',
  required: ['date', 'host_name', 'ip_address', 'resolver'],
  properties: {
    date: { type: 'integer', description: 'Unix seconds: the last time the pairing was observed' },
    host_name: { type: 'string' },
    ip_address: { type: 'string' },
    resolver: { type: 'string', description: 'What observed it' },
    host_name_last_analysis_stats: { ...statsSchema, description: 'Absent when the domain has no object' },
    ip_address_last_analysis_stats: { ...statsSchema, description: 'Absent when the address has no object' },
  },
});

export const whoisObjectSchema = objectSchema('whois', {
  type: 'object',
  additionalProperties: true,
  properties: {
    whois: { type: 'string' },
    registrar: { type: 'string' },
    first_seen_date: unixSeconds,
    last_updated: { type: 'integer', description: 'Unix seconds: the last time this record was seen' },
  },
});

export const sslCertObjectSchema = objectSchema('ssl_cert', { type: 'object', description: 'Certificate dict (vt-api-v3 §8.5).', additionalProperties: true });
