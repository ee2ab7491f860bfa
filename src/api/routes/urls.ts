// /api/v3/urls: submit a URL, its report, rescans, analyses, screenshot and relationships.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { endpointGroups, principalOf } from '../auth.js';
import { communityItemParams } from '../community-objects.js';
import { analysisDescriptor } from '../objects.js';
import { parseRelationships, relationshipCatalog } from '../relationships.js';
import { inlineRelationships, registerRelationshipRoutes, type RelationshipSet } from '../relationship-routes.js';
import { analysesRelationship, graphRelationshipsOf } from '../relationship-sources.js';
import { dataOf, descriptorSchema, relationshipsQuery } from '../schemas.js';
import { readUrlForm, URL_FIELD_MAX_BYTES } from '../url-form.js';
import { urlObject, urlObjectSchema } from '../url-objects.js';
import type { RouteDeps } from './route-deps.js';

interface UrlRoute {
  Params: { id: string };
}

const tags = ['urls'];
const params = communityItemParams.urls;
const config = { endpointGroup: endpointGroups.urls };
const analysisDescriptorResponse = { 200: dataOf(descriptorSchema('analysis')) };

const urlField = { type: 'object', required: ['url'], properties: { url: { type: 'string', maxLength: URL_FIELD_MAX_BYTES, description: 'http, https or ftp URL' } } };
const requestBody = {
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema: urlField }, 'multipart/form-data': { schema: urlField } },
};

export async function urlRoutes(app: FastifyInstance, { services, links }: RouteDeps): Promise<void> {
  const relationships: RelationshipSet = {
    owner: 'url',
    collection: 'urls',
    endpointGroup: endpointGroups.urlRelationships,
    tags,
    params,
    relationships: [
      analysesRelationship(links, "The URL's analyses, newest first.", (id, principal, page) => services.urls.listAnalyses(id, principal, page)),
      ...graphRelationshipsOf('url', services, links),
    ],
  };

  app.post(
    '/api/v3/urls',
    {
      config,
      schema: {
        summary: 'Submit a URL for analysis',
        description: 'The "url" field, form-encoded or as multipart/form-data; poll the returned analysis.',
        tags,
        requestBody,
        response: analysisDescriptorResponse,
      },
    },
    async (request) => {
      const { analysisId } = await services.urls.submit(await readUrlForm(request), principalOf(request));
      return { data: analysisDescriptor(links, analysisId) };
    },
  );

  app.get<UrlRoute & { Querystring: { relationships?: string } }>(
    '/api/v3/urls/:id',
    {
      config,
      schema: {
        summary: 'Get a URL report',
        tags,
        params,
        querystring: relationshipsQuery(relationshipCatalog.url.map((r) => r.name)),
        response: { 200: dataOf(urlObjectSchema) },
      },
    },
    async (request) => {
      // Checked before the lookup, so a bad name is refused even for an unknown URL.
      const wanted = parseRelationships('url', request.query.relationships);
      const principal = principalOf(request);
      const view = await services.urls.get(request.params.id, principal);
      const data = urlObject(links, view);
      if (wanted.length > 0) data.relationships = await inlineRelationships(relationships, data.links.self, view.url.id, principal, wanted);
      return { data };
    },
  );

  app.post<UrlRoute>(
    '/api/v3/urls/:id/analyse',
    { config, schema: { summary: 'Analyse a known URL again', tags, params, response: analysisDescriptorResponse } },
    async (request) => {
      const { analysisId } = await services.urls.reanalyse(request.params.id, principalOf(request));
      return { data: analysisDescriptor(links, analysisId) };
    },
  );

  app.get<UrlRoute>(
    '/api/v3/urls/:id/screenshot',
    {
      config,
      schema: {
        summary: "PNG screenshot of the last fetch's final page",
        description: 'NotFoundError when there is none (screenshots off, or the fetch failed).',
        tags,
        params,
        produces: 'image/png',
        response: { 200: { type: 'string', format: 'binary' } },
      },
    },
    async (request, reply: FastifyReply) => {
      const { stream, size } = await services.urls.screenshot(request.params.id, principalOf(request));
      return reply.type('image/png').header('content-length', size).send(stream);
    },
  );

  registerRelationshipRoutes(app, relationships, links);
}
