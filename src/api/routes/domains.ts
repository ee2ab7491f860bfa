// /api/v3/domains: a domain's report, a fresh look-up and its relationships (network-object-routes.ts).
import type { FastifyInstance } from 'fastify';
import { endpointGroups } from '../auth.js';
import { communityItemParams } from '../community-objects.js';
import { domainObjectSchema } from '../network-objects.js';
import { networkObjectRoutes } from './network-object-routes.js';
import type { RouteDeps } from './route-deps.js';

export async function domainRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  networkObjectRoutes(app, deps, {
    type: 'domain',
    collection: 'domains',
    noun: 'domain',
    endpointGroup: endpointGroups.domains,
    relationshipsGroup: endpointGroups.domainRelationships,
    params: communityItemParams.domains,
    objectSchema: domainObjectSchema,
  });
}
