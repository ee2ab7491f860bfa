// /api/v3/openapi.json: the OpenAPI document of the routes this app serves; no key needed.
import type { FastifyInstance } from 'fastify';
import type { RouteCatalog } from '../openapi.js';
import type { Links } from '../envelope.js';

export async function openApiRoutes(app: FastifyInstance, { catalog, links, version }: { catalog: RouteCatalog; links: Links; version: string }): Promise<void> {
  app.get(
    '/api/v3/openapi.json',
    { config: { auth: 'public' }, schema: { summary: 'This document', tags: ['operations'], response: { 200: { type: 'object' } } } },
    async () => catalog.document({ serverUrl: links.base, version }),
  );
}
