// /healthz: readiness for load balancers and `assay serve`; no key needed.
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../envelope.js';
import { errorSchema } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

export async function healthRoutes(app: FastifyInstance, { services }: RouteDeps): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Readiness: 200 once ready, 503 TransientError before',
        tags: ['operations'],
        response: { 200: { type: 'object', properties: { status: { const: 'ok' } } }, 503: errorSchema },
      },
    },
    async (_request, reply) => {
      if (services.health.ready()) return { status: 'ok' };
      // Sent directly rather than thrown: probes poll this during start-up, and "not ready yet" is a
      // state, not a server failure worth an error log line each time.
      return reply.code(503).send(errorBody('TransientError', 'Assay is starting; not ready yet'));
    },
  );
}
