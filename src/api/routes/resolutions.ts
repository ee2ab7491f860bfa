// /api/v3/resolutions: one passive-DNS observation, an address and a host name seen together.
import type { FastifyInstance } from 'fastify';
import { endpointGroups, principalOf } from '../auth.js';
import { resolutionObject, resolutionObjectSchema } from '../network-objects.js';
import { dataOf, idParams } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

export async function resolutionRoutes(app: FastifyInstance, { services, links }: RouteDeps): Promise<void> {
  app.get<{ Params: { id: string } }>(
    '/api/v3/resolutions/:id',
    {
      config: { endpointGroup: endpointGroups.resolutions },
      schema: {
        summary: 'Get a resolution',
        tags: ['resolutions'],
        params: idParams('The IP address followed directly by the host name, e.g. 93.184.216.34example.com'),
        response: { 200: dataOf(resolutionObjectSchema) },
      },
    },
    async (request) => {
      const { resolution, hostStats, ipStats } = await services.network.resolution(request.params.id, principalOf(request));
      return { data: resolutionObject(links, resolution, { host: hostStats, ip: ipStats }) };
    },
  );
}
