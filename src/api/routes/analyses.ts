// /api/v3/analyses: an analysis with its file_info or url_info, and its one relationship, the analysed file or URL.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AnalysedItem } from '../../app/services.js';
import { endpointGroups, principalOf } from '../auth.js';
import { pathSegment, type VtObject } from '../envelope.js';
import { analysisObject, descriptor, fileInfo, fileObject } from '../objects.js';
import { parseRelationships, relationshipCatalog, unknownRelationship } from '../relationships.js';
import { analysisResponseSchema, dataOf, descriptorSchema, fileObjectSchema, idParams, relationshipsQuery } from '../schemas.js';
import { urlInfo, urlObject, urlObjectSchema } from '../url-objects.js';
import type { RouteDeps } from './route-deps.js';

interface AnalysisRoute {
  Params: { id: string };
}

const tags = ['analyses'];
const params = idParams('Analysis id, as returned when the file or URL was submitted');
const config = { endpointGroup: endpointGroups.analyses };

const itemDescriptor = (item: AnalysedItem) => (item.type === 'file' ? descriptor('file', item.file.sha256) : descriptor('url', item.url.url.id));

/** VT's meta: file_info for a file analysis, url_info for a URL analysis. */
const itemMeta = (item: AnalysedItem) => (item.type === 'file' ? { file_info: fileInfo(item.file) } : { url_info: urlInfo(item.url.url) });

export async function analysisRoutes(app: FastifyInstance, { services, links }: RouteDeps): Promise<void> {
  const itemLinks = (id: string) => ({
    self: links.api(`/analyses/${pathSegment(id)}/relationships/item`),
    related: links.api(`/analyses/${pathSegment(id)}/item`),
  });
  const itemObject = (item: AnalysedItem): VtObject => (item.type === 'file' ? fileObject(links, item.file) : urlObject(links, item.url));

  app.get<AnalysisRoute & { Querystring: { relationships?: string } }>(
    '/api/v3/analyses/:id',
    {
      config,
      schema: {
        summary: 'Get an analysis; poll until attributes.status is "completed"',
        tags,
        params,
        querystring: relationshipsQuery(relationshipCatalog.analysis.map((r) => r.name)),
        response: { 200: analysisResponseSchema },
      },
    },
    async (request) => {
      const wanted = parseRelationships('analysis', request.query.relationships);
      const { analysis, item } = await services.analyses.get(request.params.id, principalOf(request));
      const data = analysisObject(links, analysis);
      if (wanted.includes('item')) data.relationships = { item: { data: itemDescriptor(item), links: itemLinks(analysis.id) } };
      return { data, meta: itemMeta(item) };
    },
  );

  app.get<AnalysisRoute>(
    '/api/v3/analyses/:id/item',
    {
      config,
      schema: { summary: 'The analysed file or URL', tags, params, response: { 200: dataOf({ oneOf: [fileObjectSchema, urlObjectSchema] }) } },
    },
    async (request) => {
      const { item } = await services.analyses.get(request.params.id, principalOf(request));
      return { data: itemObject(item) };
    },
  );

  app.get<AnalysisRoute>(
    '/api/v3/analyses/:id/relationships/item',
    {
      config,
      schema: {
        summary: 'Descriptor of the analysed file or URL',
        tags,
        params,
        response: {
          200: {
            type: 'object',
            required: ['data', 'links'],
            properties: {
              data: descriptorSchema(['file', 'url']),
              links: { type: 'object', properties: { self: { type: 'string' }, related: { type: 'string' } } },
            },
          },
        },
      },
    },
    async (request) => {
      const { analysis, item } = await services.analyses.get(request.params.id, principalOf(request));
      return { data: itemDescriptor(item), links: itemLinks(analysis.id) };
    },
  );

  // Unknown relationship names are refused by name (see relationships.ts), not with a 404.
  const refuseRelationship = async (request: FastifyRequest<{ Params: { relationship: string } }>) => {
    throw unknownRelationship('analysis', request.params.relationship);
  };
  const hidden = { config, schema: { hide: true } };
  app.get('/api/v3/analyses/:id/:relationship', hidden, refuseRelationship);
  app.get('/api/v3/analyses/:id/relationships/:relationship', hidden, refuseRelationship);
}
