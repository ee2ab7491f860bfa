// Builds the OpenAPI 3.1 document from the routes as registered: paths, parameters, schemas, auth.
import type { RouteOptions } from 'fastify';
import type { AuthMode } from './auth.js';
import { errorSchema } from './schemas.js';

type Schema = Record<string, unknown>;

interface RouteDoc {
  method: string;
  url: string;
  auth: AuthMode;
  schema: Schema;
}

/** Collects routes through Fastify's onRoute hook, so the document cannot drift from what is served. */
export class RouteCatalog {
  private readonly routes: RouteDoc[] = [];

  readonly onRoute = (route: RouteOptions): void => {
    const schema = (route.schema ?? {}) as Schema;
    if (schema.hide === true) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const config = (route.config ?? {}) as { auth?: AuthMode };
    const auth = config.auth ?? (route.url.startsWith('/api/v3') ? 'apikey' : 'public');
    for (const method of methods) this.routes.push({ method: method.toLowerCase(), url: route.url, auth, schema });
  };

  document(options: { serverUrl: string; version: string }): Schema {
    const paths: Record<string, Record<string, Schema>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      (paths[path] ??= {})[route.method] = operation(route);
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Assay',
        version: options.version,
        description: 'Self-hosted analysis service speaking the VirusTotal API v3. Every success is HTTP 200; every failure is {"error":{"code","message"}}.',
      },
      servers: [{ url: options.serverUrl || '/' }],
      paths,
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-apikey' } },
        schemas: { Error: errorSchema },
        responses: {
          Error: { description: 'VirusTotal error envelope', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      },
    };
  }
}

function parameters(schema: unknown, location: 'path' | 'query'): Schema[] {
  const s = (schema ?? {}) as { properties?: Record<string, Schema>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (s.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function operation(route: RouteDoc): Schema {
  const { schema } = route;
  const response = (schema.response ?? {}) as Record<string, Schema>;
  const produces = typeof schema.produces === 'string' ? schema.produces : 'application/json';
  const ok = response['200'];
  const op: Schema = {
    summary: schema.summary,
    ...(schema.description ? { description: schema.description } : {}),
    ...(schema.tags ? { tags: schema.tags } : {}),
    parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
    responses: {
      '200': { description: 'Success', content: { [produces]: { schema: ok ?? { type: 'string' } } } },
      '4XX': { $ref: '#/components/responses/Error' },
      '5XX': { $ref: '#/components/responses/Error' },
    },
    security: route.auth === 'apikey' ? [{ apiKey: [] }] : [],
  };
  if (route.auth === 'upload-token') op.description = `${schema.description ?? ''} Authenticated by the single-use token in the path; x-apikey is not needed.`.trim();
  if (schema.requestBody) op.requestBody = schema.requestBody;
  return op;
}
