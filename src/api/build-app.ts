// Assembles the Fastify app: parsers, auth, error envelope, metrics and routes. Never listens itself.
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pino from 'pino';
import type { AppServices } from '../app/services.js';
import type { Config } from '../config/config.js';
import { AppError } from '../core/errors.js';
import { checkRouteAuth, installAuth } from './auth.js';
import { Links } from './envelope.js';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './error-handler.js';
import { multipartLimits } from './multipart.js';
import { RouteCatalog } from './openapi.js';
import { analysisRoutes } from './routes/analyses.js';
import { commentRoutes } from './routes/comments.js';
import { domainRoutes } from './routes/domains.js';
import { fileRoutes } from './routes/files.js';
import { groupRoutes } from './routes/groups.js';
import { healthRoutes } from './routes/health.js';
import { ipAddressRoutes } from './routes/ip-addresses.js';
import { metadataRoutes } from './routes/metadata.js';
import { createHttpMetrics, metricsRoutes, registerPluginMetrics } from './routes/metrics.js';
import { openApiRoutes } from './routes/openapi.js';
import { resolutionRoutes } from './routes/resolutions.js';
import type { RouteDeps } from './routes/route-deps.js';
import { urlRoutes } from './routes/urls.js';
import { userRoutes } from './routes/users.js';
import { voteRoutes } from './routes/votes.js';

export interface BuildAppDeps {
  services: AppServices;
  config: Config;
  logger: pino.Logger | false;
  /** Absolute base of every link and upload URL (ASSAY_PUBLIC_URL, or the listening address). */
  publicBaseUrl: () => string;
}

const API_VERSION = '0.1.0';

export async function buildApp(deps: BuildAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino.Logger's generics differ from Fastify's logger type; at runtime it is the same object.
    ...(deps.logger ? { loggerInstance: deps.logger as unknown as FastifyBaseLogger } : { logger: false }),
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
  });

  installErrorHandling(app);

  // Response schemas document the API (openapi.json) but must not filter output: attributes are
  // open-ended, and fast-json-stringify would drop every key a schema does not list.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // vt-go posts `Content-Type: application/json` with an empty body (POST /files/{id}/analyse).
  const json = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    json(request, body as string, (error, value) => done(error ? new AppError('BadRequestError', `Malformed JSON body: ${error.message}`) : null, value));
  });
  await app.register(formbody);
  await app.register(multipart, {
    limits: { ...multipartLimits, fileSize: deps.config.maxUploadBytes + 1 },
    // A part named "file" is the upload even without a filename (curl -F file=<path), so it is
    // streamed, never collected in memory as a field.
    isPartAFile: (fieldName, contentType, fileName) => fieldName === 'file' || fileName !== undefined || contentType === 'application/octet-stream',
  });

  const catalog = new RouteCatalog();
  app.addHook('onRoute', (route) => {
    checkRouteAuth(route);
    catalog.onRoute(route);
  });
  installAuth(app, deps.services);

  const metrics = createHttpMetrics();
  registerPluginMetrics(metrics.registry, () => deps.services.plugins.calls());
  app.addHook('onResponse', metrics.onResponse);

  const links = new Links(deps.publicBaseUrl);
  const routeDeps: RouteDeps = { services: deps.services, config: deps.config, links };
  await app.register(fileRoutes, routeDeps);
  await app.register(urlRoutes, routeDeps);
  await app.register(domainRoutes, routeDeps);
  await app.register(ipAddressRoutes, routeDeps);
  await app.register(resolutionRoutes, routeDeps);
  await app.register(analysisRoutes, routeDeps);
  await app.register(metadataRoutes, routeDeps);
  await app.register(commentRoutes, routeDeps);
  await app.register(voteRoutes, routeDeps);
  await app.register(userRoutes, routeDeps);
  await app.register(groupRoutes, routeDeps);
  await app.register(healthRoutes, routeDeps);
  await app.register(metricsRoutes, { registry: metrics.registry });
  await app.register(openApiRoutes, { catalog, links, version: API_VERSION });
  return app;
}
