// JSON schemas of requests and responses: request parts are validated, responses only documented.
import { verdictCategories } from '../core/verdict.js';
import { MAX_PAGE_SIZE } from './params.js';

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI documentation only; Fastify ignores these keys. */
    summary?: string;
    description?: string;
    tags?: string[];
    /** Left out of openapi.json (catch-all routes that only refuse). */
    hide?: boolean;
    /** Documented request body, for bodies Fastify does not parse itself (multipart). */
    requestBody?: Record<string, unknown>;
    /** Media type of a non-JSON 200 response (downloads, metrics). */
    produces?: string;
  }
}

type Schema = Record<string, unknown>;

export const errorSchema: Schema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', description: 'VirusTotal error code, e.g. NotFoundError' }, message: { type: 'string' } },
    },
  },
};

export const statsSchema: Schema = {
  type: 'object',
  description: 'Count per verdict category; all eight keys are always present.',
  required: [...verdictCategories],
  properties: Object.fromEntries(verdictCategories.map((c) => [c, { type: 'integer' }])),
};

const engineResultSchema: Schema = {
  type: 'object',
  properties: {
    engine_name: { type: 'string' },
    category: { type: 'string', enum: [...verdictCategories] },
    result: { type: ['string', 'null'] },
    method: { type: 'string' },
    engine_version: { type: ['string', 'null'] },
    engine_update: { type: ['string', 'null'] },
  },
};

export const resultsSchema: Schema = { type: 'object', description: 'Keyed by engine name.', additionalProperties: engineResultSchema };

export const linksSchema: Schema = { type: 'object', required: ['self'], properties: { self: { type: 'string', format: 'uri' } } };

export const descriptorSchema = (type: string | readonly string[]): Schema => ({
  type: 'object',
  required: ['type', 'id'],
  properties: { type: typeof type === 'string' ? { const: type } : { enum: [...type] }, id: { type: 'string' }, links: linksSchema },
});

export const totalVotesSchema: Schema = { type: 'object', properties: { harmless: { type: 'integer' }, malicious: { type: 'integer' } } };

/** A VT object of one type (or several, as in network_location's `domain|ip_address`). */
export const objectSchema = (type: string | readonly string[], attributes: Schema): Schema => ({
  type: 'object',
  required: ['type', 'id', 'links', 'attributes'],
  properties: {
    type: typeof type === 'string' ? { const: type } : { enum: [...type] },
    id: { type: 'string' },
    links: linksSchema,
    attributes,
    relationships: { type: 'object', description: 'Only when asked for with ?relationships=.' },
  },
});

export const fileObjectSchema = objectSchema('file', {
  type: 'object',
  description: 'VT file attributes; analyzer attributes (magic, magika, ssdeep, tlsh, type_*...) appear when known.',
  additionalProperties: true,
  properties: {
    md5: { type: 'string' },
    sha1: { type: 'string' },
    sha256: { type: 'string' },
    size: { type: 'integer' },
    names: { type: 'array', items: { type: 'string' } },
    meaningful_name: { type: 'string' },
    times_submitted: { type: 'integer' },
    first_submission_date: { type: 'integer', description: 'Unix seconds' },
    last_submission_date: { type: 'integer', description: 'Unix seconds' },
    last_analysis_date: { type: 'integer', description: 'Unix seconds; absent until an analysis completes' },
    last_analysis_results: resultsSchema,
    last_analysis_stats: statsSchema,
    reputation: { type: 'integer' },
    total_votes: totalVotesSchema,
    tags: { type: 'array', items: { type: 'string' } },
    unique_sources: { type: 'integer' },
  },
});

export const analysisObjectSchema = objectSchema('analysis', {
  type: 'object',
  required: ['date', 'status', 'stats', 'results'],
  properties: {
    date: { type: 'integer', description: 'Unix seconds of submission' },
    status: { type: 'string', enum: ['queued', 'in-progress', 'completed'] },
    stats: statsSchema,
    results: resultsSchema,
  },
});

export const dataOf = (data: Schema): Schema => ({ type: 'object', required: ['data'], properties: { data } });

export const collectionOf = (item: Schema): Schema => ({
  type: 'object',
  required: ['data', 'meta', 'links'],
  properties: {
    data: { type: 'array', items: item },
    meta: {
      type: 'object',
      properties: {
        cursor: { type: 'string', description: 'Absent on the last page' },
        count: { type: 'integer', description: 'Given as 0 on an empty relationship; absent otherwise' },
      },
    },
    links: {
      type: 'object',
      required: ['self'],
      properties: { self: { type: 'string', format: 'uri' }, next: { type: 'string', format: 'uri', description: 'Absent on the last page' } },
    },
  },
});

export const analysisResponseSchema: Schema = {
  type: 'object',
  required: ['data', 'meta'],
  properties: {
    data: analysisObjectSchema,
    meta: {
      type: 'object',
      properties: {
        file_info: {
          type: 'object',
          description: 'File analyses only.',
          properties: { sha256: { type: 'string' }, sha1: { type: 'string' }, md5: { type: 'string' }, size: { type: 'integer' } },
        },
        url_info: {
          type: 'object',
          description: 'URL analyses only.',
          properties: { id: { type: 'string', description: 'sha256 of the canonical URL' }, url: { type: 'string', description: 'As submitted' } },
        },
      },
    },
  },
};

export const hashParams: Schema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'md5, sha1 or sha256 of the file' } },
};

export const idParams = (description: string): Schema => ({
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description } },
});

export const pageQuery: Schema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, description: `Page size; default 10, larger values are capped at ${MAX_PAGE_SIZE}` },
    cursor: { type: 'string', maxLength: 2048, description: 'meta.cursor of the previous page' },
  },
};

export const relationshipsQuery = (names: readonly string[]): Schema => ({
  type: 'object',
  properties: { relationships: { type: 'string', description: `Comma-separated relationships to include: ${names.join(', ')}` } },
});

/** An OpenAPI JSON request body with the given schema. */
export const jsonRequestBody = (schema: Schema): Schema => ({ required: true, content: { 'application/json': { schema } } });

/**
 * An OpenAPI request body in VT's object form, `{"data": {"type", "attributes"}}`; `data.attributes`
 * is required as soon as one attribute is.
 */
export function vtObjectRequestBody(type: string, properties: Schema, required: string[] = []): Schema {
  const attributes = { type: 'object', required, properties };
  const data = { type: 'object', ...(required.length > 0 ? { required: ['attributes'] } : {}), properties: { type: { const: type }, attributes } };
  return jsonRequestBody({ type: 'object', required: ['data'], properties: { data } });
}

export const uploadRequestBody: Schema = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file'],
        properties: {
          file: { type: 'string', format: 'binary' },
          password: { type: 'string', description: 'Password of a protected ZIP; may come before or after the file part' },
          private: {
            type: 'boolean',
            description: 'true: a private submission (needs the private_scanning privilege); the file and its analyses are visible only to your group',
          },
        },
      },
    },
  },
};
