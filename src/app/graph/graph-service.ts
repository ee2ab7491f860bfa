/**
 * Relationships of files, URLs, domains and IP addresses (relationship-catalog.ts): pages of related
 * objects, read from recorded edges (either way), submissions, passive DNS, history or the domain
 * name itself. Files and submissions the caller may not see (private ones) are left out, as
 * everywhere else; a page may then hold fewer items than asked, with the cursor still going on.
 */
import { parse as parseDomain } from 'tldts';
import { AppError } from '../../core/errors.js';
import type { VoteTotals } from '../../core/model/community.js';
import type { FileObject } from '../../core/model/file.js';
import type { HistoryEntry, NetworkObject, Resolution } from '../../core/model/network-object.js';
import type { Page } from '../../core/model/page.js';
import type { Submission } from '../../core/model/submission.js';
import type { UrlObject } from '../../core/model/url.js';
import type { Store } from '../../store/ports/store.js';
import { EVERYONE, scopesOf } from '../accounts/visibility.js';
import type { Principal } from '../principal.js';
import { graphRelationships, relationshipSpec, type GraphOwner } from './relationship-catalog.js';

export type RelatedObject =
  | { type: 'file'; id: string; file: FileObject }
  | { type: 'url'; id: string; url: UrlObject | undefined; votes: VoteTotals }
  | { type: 'domain' | 'ip_address'; id: string; object: NetworkObject | undefined; votes: VoteTotals }
  | { type: 'resolution'; id: string; resolution: Resolution }
  | { type: 'whois' | 'ssl_cert'; id: string; history: HistoryEntry }
  | { type: 'submission'; id: string; submission: Submission };

export interface GraphService {
  /** InvalidArgumentError for a name the owner type does not have. */
  list(owner: GraphOwner, ownerId: string, name: string, principal: Principal, page: { limit: number; cursor?: string }): Promise<Page<RelatedObject>>;
}

export interface GraphServiceDeps {
  store: Pick<Store, 'urls' | 'networkObjects' | 'relations' | 'resolutions' | 'history' | 'votes' | 'submissions'>;
  /** The file service's look-up, so related files follow the same visibility rules; throws NotFoundError for unseen ones. */
  findFile(sha256: string, principal: Principal): Promise<FileObject>;
}

export function unknownGraphRelationship(owner: GraphOwner, name: string): AppError {
  return new AppError('InvalidArgumentError', `Unknown relationship "${name}" for ${owner} objects; known: ${graphRelationships[owner].map((r) => r.name).join(', ')}`);
}

/** The registrable domain and the one-label-up parent; undefined where there is none (a suffix or an IP). */
export function domainParents(domain: string): { parent?: string; immediateParent?: string } {
  const registrable = parseDomain(domain, { allowPrivateDomains: true }).domain ?? undefined;
  if (!registrable || registrable === domain) return {};
  const up = domain.slice(domain.indexOf('.') + 1);
  return { parent: registrable, immediateParent: up.length >= registrable.length ? up : registrable };
}

export function createGraphService(deps: GraphServiceDeps): GraphService {
  const { store } = deps;

  async function objectOf(type: string, id: string, principal: Principal): Promise<RelatedObject | undefined> {
    switch (type) {
      case 'file':
        try {
          return { type, id, file: await deps.findFile(id, principal) };
        } catch (error) {
          if (error instanceof AppError && error.code === 'NotFoundError') return undefined;
          throw error;
        }
      case 'url':
        return { type, id, url: await store.urls.get(id), votes: await store.votes.totals({ type: 'url', id }) };
      case 'domain':
      case 'ip_address':
        return { type, id, object: await store.networkObjects.get(type, id), votes: await store.votes.totals({ type, id }) };
      default:
        return undefined;
    }
  }

  const single = async (item: Promise<RelatedObject | undefined>): Promise<Page<RelatedObject>> => {
    const found = await item;
    return { items: found ? [found] : [] };
  };

  return {
    async list(owner, id, name, principal, page) {
      const spec = relationshipSpec(owner, name);
      if (!spec) throw unknownGraphRelationship(owner, name);
      // A file is found by any of its hashes, and one the caller may not see is NotFoundError, as on GET /files/{id}.
      const ownerId = owner === 'file' ? (await deps.findFile(id, principal)).sha256 : id;
      switch (spec.source) {
        case 'none':
          return { items: [] };
        case 'submissions': {
          const found = await store.submissions.listForFile(ownerId, [EVERYONE, ...scopesOf(principal)], page);
          return { items: found.items.map((s) => ({ type: 'submission' as const, id: s.id, submission: s })), cursor: found.cursor };
        }
        case 'reverse_edges': {
          const { name: edgeName, fromType } = spec.reverse!;
          const edges = await store.relations.listTo({ type: owner as 'file', id: ownerId }, edgeName, fromType, page);
          const items = await Promise.all(edges.items.map((e) => objectOf(e.fromType, e.fromId, principal)));
          return { items: items.filter((i): i is RelatedObject => i !== undefined), cursor: edges.cursor };
        }
        case 'edges': {
          const edges = await store.relations.list({ type: owner, id: ownerId }, name, page);
          const items = await Promise.all(edges.items.map((e) => objectOf(e.toType, e.toId, principal)));
          return { items: items.filter((i): i is RelatedObject => i !== undefined), cursor: edges.cursor };
        }
        case 'resolutions': {
          const found = owner === 'ip_address' ? await store.resolutions.listForIp(ownerId, page) : await store.resolutions.listForHost(ownerId, page);
          return { items: found.items.map((r) => ({ type: 'resolution' as const, id: r.id, resolution: r })), cursor: found.cursor };
        }
        case 'historical_whois':
        case 'historical_ssl_certificates': {
          const kind = spec.source === 'historical_whois' ? 'whois' : 'ssl_cert';
          const found = await store.history.list(kind, { type: owner as 'domain' | 'ip_address', id: ownerId }, page);
          return { items: found.items.map((h) => ({ type: kind, id: h.id, history: h })), cursor: found.cursor };
        }
        case 'parent':
        case 'immediate_parent': {
          const { parent, immediateParent } = domainParents(ownerId);
          const target = spec.source === 'parent' ? parent : immediateParent;
          return target ? single(objectOf('domain', target, principal)) : { items: [] };
        }
        case 'subdomains':
        case 'siblings': {
          const base = spec.source === 'subdomains' ? ownerId : domainParents(ownerId).parent;
          if (!base) return { items: [] };
          const found = await store.networkObjects.listBySuffix('domain', base, page);
          const items = await Promise.all(
            found.items.filter((o) => o.id !== ownerId).map(async (o) => ({ type: 'domain' as const, id: o.id, object: o, votes: await store.votes.totals({ type: 'domain', id: o.id }) })),
          );
          return { items, cursor: found.cursor };
        }
      }
    },
  };
}
