/**
 * What /domains and /ip_addresses share: the report (looked up on first request), a synchronous
 * refresh, and the relationships. POST .../analyse departs from VT on purpose: VT queues an analysis
 * and returns its descriptor; Assay asks its intel sources again at once and returns the object.
 */
import type { FastifyInstance } from 'fastify';
import type { NetworkObjectType } from '../../core/model/network-object.js';
import { principalOf, type EndpointGroup } from '../auth.js';
import { networkObject } from '../network-objects.js';
import { parseRelationships, relationshipCatalog } from '../relationships.js';
import { inlineRelationships, registerRelationshipRoutes, type RelationshipSet } from '../relationship-routes.js';
import { graphRelationshipsOf } from '../relationship-sources.js';
import { dataOf, relationshipsQuery } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

export interface NetworkCollection {
  type: NetworkObjectType;
  /** Path segment: domains, ip_addresses. */
  collection: 'domains' | 'ip_addresses';
  /** "domain", "IP address": for summaries. */
  noun: string;
  endpointGroup: EndpointGroup;
  relationshipsGroup: EndpointGroup;
  params: Record<string, unknown>;
  objectSchema: Record<string, unknown>;
}

interface ObjectRoute {
  Params: { id: string };
  Querystring: { relationships?: string };
}

export function networkObjectRoutes(app: FastifyInstance, { services, links }: RouteDeps, c: NetworkCollection): void {
  const tags = [c.collection];
  const config = { endpointGroup: c.endpointGroup };
  const relationships: RelationshipSet = {
    owner: c.type,
    collection: c.collection,
    endpointGroup: c.relationshipsGroup,
    tags,
    params: c.params,
    relationships: graphRelationshipsOf(c.type, services, links),
  };

  app.get<ObjectRoute>(
    `/api/v3/${c.collection}/:id`,
    {
      config,
      schema: {
        summary: `Get a ${c.noun} report`,
        description: 'A name never seen before is looked up on this request (DNS, RDAP, certificates, geo), never answered 404.',
        tags,
        params: c.params,
        querystring: relationshipsQuery(relationshipCatalog[c.type].map((r) => r.name)),
        response: { 200: dataOf(c.objectSchema) },
      },
    },
    async (request) => {
      const wanted = parseRelationships(c.type, request.query.relationships);
      const principal = principalOf(request);
      const view = await services.network.get(c.type, request.params.id, principal);
      const data = networkObject(links, view);
      if (wanted.length > 0) data.relationships = await inlineRelationships(relationships, data.links.self, view.object.id, principal, wanted);
      return { data };
    },
  );

  app.post<{ Params: { id: string } }>(
    `/api/v3/${c.collection}/:id/analyse`,
    {
      config,
      schema: {
        summary: `Look a ${c.noun} up again now, past every cache`,
        description: 'Departs from VT: returns the refreshed object, not an analysis descriptor.',
        tags,
        params: c.params,
        response: { 200: dataOf(c.objectSchema) },
      },
    },
    async (request) => ({ data: networkObject(links, await services.network.refresh(c.type, request.params.id, principalOf(request))) }),
  );

  registerRelationshipRoutes(app, relationships, links);
}
