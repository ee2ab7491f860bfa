// /api/v3/files: upload (direct and by single-use URL), report, analyses, rescan and download.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, endpointGroups } from '../auth.js';
import { analysisDescriptor, fileObject } from '../objects.js';
import { readUploadForm } from '../multipart.js';
import { fileHashParam } from '../params.js';
import { parseRelationships, relationshipCatalog } from '../relationships.js';
import { inlineRelationships, registerRelationshipRoutes, type RelationshipSet } from '../relationship-routes.js';
import { analysesRelationship, fileCommunityRelationships, graphRelationshipsOf } from '../relationship-sources.js';
import { dataOf, descriptorSchema, fileObjectSchema, hashParams, relationshipsQuery, uploadRequestBody } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

interface HashRoute {
  Params: { id: string };
}

const tags = ['files'];
const analysisDescriptorResponse = { 200: dataOf(descriptorSchema('analysis')) };

export async function fileRoutes(app: FastifyInstance, { services, config, links }: RouteDeps): Promise<void> {
  const renderedReports = new WeakMap<object, string>();
  /**
   * The use case reads the form through us and owns what it received, refused or not. With an upload
   * URL's token, the token is taken once the body is in and given back if the submission fails, so
   * only an accepted upload uses it up (and two at once cannot both use it).
   */
  async function submitUpload(request: FastifyRequest, maxBytes: number, token?: string) {
    let taken = false;
    try {
      const { analysisId } = await services.files.submit(
        async (receive) => {
          const fields = await readUploadForm(request, receive, maxBytes);
          if (token !== undefined) {
            await services.uploads.consumeToken(token);
            taken = true;
          }
          return fields;
        },
        { principal: principalOf(request), maxBytes },
      );
      return { data: analysisDescriptor(links, analysisId) };
    } catch (error) {
      if (taken) await services.uploads.releaseToken(token!).catch((e: unknown) => request.log.error({ err: e }, 'could not give back an upload token'));
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
    (request) => submitUpload(request, config.maxLargeUploadBytes, request.params.token),
  );

  const relationships: RelationshipSet = {
    owner: 'file',
    collection: 'files',
    endpointGroup: endpointGroups.fileRelationships,
    tags,
    params: hashParams,
    relationships: [
      analysesRelationship(links, "The file's analyses, newest first.", (id, principal, page) => services.files.listAnalyses(fileHashParam(id), principal, page)),
      ...fileCommunityRelationships(services, links),
      ...graphRelationshipsOf('file', services, links),
    ],
  };

  app.get<HashRoute & { Querystring: { relationships?: string } }>(
    '/api/v3/files/:id',
    {
      config: { endpointGroup: endpointGroups.files },
      schema: {
        summary: 'Get a file report',
        tags,
        params: hashParams,
        querystring: relationshipsQuery(relationshipCatalog.file.map((r) => r.name)),
        response: { 200: dataOf(fileObjectSchema) },
      },
    },
    async (request, reply) => {
      const hash = fileHashParam(request.params.id);
      const wanted = parseRelationships('file', request.query.relationships);
      const principal = principalOf(request);
      const file = await services.files.get(hash, principal);
      if (wanted.length === 0) {
        // The file service hands out the same record object while the file is unchanged, so its
        // rendered report can be reused: rendering and serialising were a third of a look-up.
        let body = renderedReports.get(file);
        if (body === undefined) {
          body = JSON.stringify({ data: fileObject(links, file) });
          renderedReports.set(file, body);
        }
        return reply.type('application/json; charset=utf-8').send(body);
      }
      const data = fileObject(links, file);
      data.relationships = await inlineRelationships(relationships, data.links.self, file.sha256, principal, wanted);
      return { data };
    },
  );

  registerRelationshipRoutes(app, relationships, links);

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
