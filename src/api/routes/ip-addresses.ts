// /api/v3/ip_addresses: an address's report, a fresh look-up and its relationships (network-object-routes.ts).
import type { FastifyInstance } from 'fastify';
import { endpointGroups } from '../auth.js';
import { communityItemParams } from '../community-objects.js';
import { ipAddressObjectSchema } from '../network-objects.js';
import { networkObjectRoutes } from './network-object-routes.js';
import type { RouteDeps } from './route-deps.js';

export async function ipAddressRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  networkObjectRoutes(app, deps, {
    type: 'ip_address',
    collection: 'ip_addresses',
    noun: 'IP address',
    endpointGroup: endpointGroups.ipAddresses,
    relationshipsGroup: endpointGroups.ipRelationships,
    params: communityItemParams.ip_addresses,
    objectSchema: ipAddressObjectSchema,
  });
}
