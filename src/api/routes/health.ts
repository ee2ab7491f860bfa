// /healthz: readiness for load balancers and `assay serve`, and which engines are down; no key needed.
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../envelope.js';
import { errorSchema } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

export async function healthRoutes(app: FastifyInstance, { services }: RouteDeps): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Readiness: 200 once ready (`degraded`, naming them, while configured engines are down), 503 TransientError before',
        tags: ['operations'],
        response: {
          200: {
            type: 'object',
            required: ['status'],
            properties: {
              status: { enum: ['ok', 'degraded'] },
              engines: { type: 'object', additionalProperties: { type: 'string' }, description: 'Engines that are down, with why.' },
            },
          },
          503: errorSchema,
        },
      },
    },
    async (_request, reply) => {
      if (services.health.ready()) {
        // Still 200: analyses go on, recording `failure` for the engines that are down.
        const down = services.plugins.list().filter((p) => p.kind === 'engine' && !p.readiness.ready && p.readiness.down);
        if (down.length === 0) return { status: 'ok' };
        return { status: 'degraded', engines: Object.fromEntries(down.map((p) => [p.manifest.name, `not ready: ${p.readiness.detail ?? 'down'}`])) };
      }
      // Sent directly rather than thrown: probes poll this during start-up, and "not ready yet" is a
      // state, not a server failure worth an error log line each time.
      return reply.code(503).send(errorBody('TransientError', 'Assay is starting; not ready yet'));
    },
  );
}
