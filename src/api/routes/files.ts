// /api/v3/files: upload (direct and by single-use URL), report, analyses, rescan and download.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReceivedUpload } from '../../app/services.js';
import { principalOf, endpointGroups } from '../auth.js';
import { collection, type RelationshipEntry } from '../envelope.js';
import { analysisDescriptor, analysisObject, descriptor, fileObject } from '../objects.js';
import { readUploadForm } from '../multipart.js';
import { fileHashParam, pageSize, DEFAULT_PAGE_SIZE } from '../params.js';
import { parseRelationships, relationshipCatalog, unknownRelationship } from '../relationships.js';
import {
  analysisObjectSchema,
  collectionOf,
  dataOf,
  descriptorSchema,
  fileObjectSchema,
  hashParams,
  pageQuery,
  relationshipsQuery,
  uploadRequestBody,
} from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

interface HashRoute {
  Params: { id: string };
}
interface PageRoute extends HashRoute {
  Querystring: { limit?: number; cursor?: string };
}

const tags = ['files'];
const analysisDescriptorResponse = { 200: dataOf(descriptorSchema('analysis')) };

export async function fileRoutes(app: FastifyInstance, { services, config, links }: RouteDeps): Promise<void> {
  /** Receives the form, then hands the staged upload to the use case; a refusal there discards it. */
  async function submitUpload(request: FastifyRequest, maxBytes: number) {
    const form = await readUploadForm(request, services.ingest, maxBytes);
    const upload: ReceivedUpload = form.upload;
    try {
      const { analysisId } = await services.files.submit(upload, {
        principal: principalOf(request),
        name: form.name,
        password: form.password,
        ...(form.private === undefined ? {} : { private: form.private }),
      });
      return { data: analysisDescriptor(links, analysisId) };
    } catch (error) {
      await services.ingest.discard(upload).catch((e: unknown) => request.log.error({ err: e }, 'could not discard a staged upload'));
      throw error;
    }
  }

  app.post(
    '/api/v3/files',
    {
      config: { endpointGroup: endpointGroups.fileUpload },
      schema: {
        summary: 'Upload and analyse a file',
        description: `multipart/form-data with a "file" part, up to ${config.maxUploadBytes} bytes; chunked bodies are accepted.`,
        tags,
        requestBody: uploadRequestBody,
        response: analysisDescriptorResponse,
      },
    },
    (request) => submitUpload(request, config.maxUploadBytes),
  );

  app.get(
    '/api/v3/files/upload_url',
    {
      config: { endpointGroup: endpointGroups.fileUpload },
      schema: {
        summary: 'Get a single-use URL for uploading a large file',
        description: `The URL accepts one POST in the format of POST /files, up to ${config.maxLargeUploadBytes} bytes.`,
        tags,
        response: { 200: dataOf({ type: 'string', format: 'uri' }) },
      },
    },
    async (request) => {
      const { token } = await services.uploads.createToken(principalOf(request));
      return { data: links.api(`/files/upload/${encodeURIComponent(token)}`) };
    },
  );

  app.post<{ Params: { token: string } }>(
    '/api/v3/files/upload/:token',
    {
      config: { auth: 'upload-token' },
      schema: {
        summary: 'Upload a file through a URL from GET /files/upload_url',
        tags,
        params: { type: 'object', required: ['token'], properties: { token: { type: 'string', description: 'Single-use upload token' } } },
        requestBody: uploadRequestBody,
        response: analysisDescriptorResponse,
      },
    },
    (request) => submitUpload(request, config.maxLargeUploadBytes),
  );

  const fileRelationshipNames = relationshipCatalog.file.map((r) => r.name);

  app.get<HashRoute & { Querystring: { relationships?: string } }>(
    '/api/v3/files/:id',
    {
      config: { endpointGroup: endpointGroups.files },
      schema: {
        summary: 'Get a file report',
        tags,
        params: hashParams,
        querystring: relationshipsQuery(fileRelationshipNames),
        response: { 200: dataOf(fileObjectSchema) },
      },
    },
    async (request) => {
      const hash = fileHashParam(request.params.id);
      const wanted = parseRelationships('file', request.query.relationships);
      const principal = principalOf(request);
      const file = await services.files.get(hash, principal);
      const data = fileObject(links, file);
      if (wanted.includes('analyses')) {
        const page = await services.files.listAnalyses(file.sha256, principal, { limit: DEFAULT_PAGE_SIZE });
        const self = links.api(`/files/${file.sha256}/relationships/analyses`);
        const entry: RelationshipEntry = {
          data: page.items.map((a) => descriptor('analysis', a.id)),
          links: { self, related: links.api(`/files/${file.sha256}/analyses`) },
        };
        if (page.cursor && page.items.length > 0) {
          entry.meta = { cursor: page.cursor };
          entry.links.next = `${self}?${new URLSearchParams({ cursor: page.cursor, limit: String(DEFAULT_PAGE_SIZE) })}`;
        }
        data.relationships = { analyses: entry };
      }
      return { data };
    },
  );

  async function analysesPage(request: FastifyRequest<PageRoute>) {
    const hash = fileHashParam(request.params.id);
    const limit = pageSize(request.query.limit);
    const page = await services.files.listAnalyses(hash, principalOf(request), { limit, cursor: request.query.cursor });
    return { page, limit };
  }

  app.get<PageRoute>(
    '/api/v3/files/:id/analyses',
    {
      config: { endpointGroup: endpointGroups.fileRelationships },
      schema: {
        summary: "A file's analyses, newest first",
        tags,
        params: hashParams,
        querystring: pageQuery,
        response: { 200: collectionOf(analysisObjectSchema) },
      },
    },
    async (request) => {
      const { page, limit } = await analysesPage(request);
      return collection(
        page.items.map((a) => analysisObject(links, a)),
        page.cursor,
        links.self(request),
        (cursor) => links.next(request, cursor, limit),
      );
    },
  );

  app.get<PageRoute>(
    '/api/v3/files/:id/relationships/analyses',
    {
      config: { endpointGroup: endpointGroups.fileRelationships },
      schema: {
        summary: "Descriptors of a file's analyses, newest first",
        tags,
        params: hashParams,
        querystring: pageQuery,
        response: { 200: collectionOf(descriptorSchema('analysis')) },
      },
    },
    async (request) => {
      const { page, limit } = await analysesPage(request);
      return collection(
        page.items.map((a) => descriptor('analysis', a.id)),
        page.cursor,
        links.self(request),
        (cursor) => links.next(request, cursor, limit),
      );
    },
  );

  // Relationships VT has and Assay does not: refused by name (see relationships.ts), not a 404.
  const refuseRelationship = async (request: FastifyRequest<{ Params: { relationship: string } }>) => {
    throw unknownRelationship('file', request.params.relationship);
  };
  const hidden = { config: { endpointGroup: endpointGroups.fileRelationships }, schema: { hide: true } };
  app.get('/api/v3/files/:id/:relationship', hidden, refuseRelationship);
  app.get('/api/v3/files/:id/relationships/:relationship', hidden, refuseRelationship);

  app.post<HashRoute>(
    '/api/v3/files/:id/analyse',
    {
      config: { endpointGroup: endpointGroups.files },
      schema: { summary: 'Analyse a stored file again', tags, params: hashParams, response: analysisDescriptorResponse },
    },
    async (request) => {
      const { analysisId } = await services.files.reanalyse(fileHashParam(request.params.id), principalOf(request));
      return { data: analysisDescriptor(links, analysisId) };
    },
  );

  app.get<HashRoute>(
    '/api/v3/files/:id/download',
    {
      config: { endpointGroup: endpointGroups.fileDownload },
      schema: {
        summary: "Download a file's content (keys with the download privilege)",
        tags,
        params: hashParams,
        produces: 'application/octet-stream',
        response: { 200: { type: 'string', format: 'binary' } },
      },
    },
    async (request, reply: FastifyReply) => {
      const { stream, size, sha256 } = await services.files.download(fileHashParam(request.params.id), principalOf(request));
      return reply
        .type('application/octet-stream')
        .header('content-length', size)
        .header('content-disposition', `attachment; filename="${sha256}"`)
        .send(stream);
    },
  );
}
