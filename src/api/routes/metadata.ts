// /api/v3/metadata: engines, URL engines and intel sources (ready or not), relationships per type and privileges; vt-cli's `vt init` reads it.
import type { FastifyInstance } from 'fastify';
import type { PluginStatus } from '../../app/services.js';
import { endpointGroups } from '../auth.js';
import { relationshipCatalog } from '../relationships.js';
import { dataOf } from '../schemas.js';
import type { RouteDeps } from './route-deps.js';

/** Privileges that exist in Assay; downloads come with admin today. */
const privileges = ['admin', 'downloads'];

/** A not-ready plugin is listed with the reason, never left out (DESIGN.md §3). */
const pluginEntry = (p: PluginStatus) => ({
  ...p.manifest,
  ready: p.readiness.ready,
  detail: p.readiness.detail ?? null,
  engine_version: p.readiness.engineVersion ?? null,
  // VT's YYYYMMDD when the plugin gives one; otherwise its signature or rule-set version.
  engine_update: p.readiness.engineUpdate ?? p.readiness.signatureVersion ?? null,
});

const byName = (plugins: PluginStatus[]) => Object.fromEntries(plugins.map((p) => [p.manifest.name, pluginEntry(p)]));

export async function metadataRoutes(app: FastifyInstance, { services }: RouteDeps): Promise<void> {
  app.get(
    '/api/v3/metadata',
    {
      config: { endpointGroup: endpointGroups.metadata },
      schema: {
        summary: 'Engines, relationships and privileges',
        tags: ['metadata'],
        response: {
          200: dataOf({
            type: 'object',
            required: ['engines', 'relationships', 'privileges'],
            properties: {
              engines: { type: 'object', description: 'Keyed by engine name (the keys of last_analysis_results).' },
              analyzers: { type: 'object', description: 'Attribute producers, keyed by name; same shape as engines.' },
              url_engines: { type: 'object', description: 'Engines judging URLs, domains and IPs (keys of their last_analysis_results); same shape.' },
              intel_sources: { type: 'object', description: 'Where domain and IP attributes come from (DNS, RDAP, certificates, geo); same shape.' },
              relationships: { type: 'object', description: 'Per object type: [{name, description}].' },
              privileges: { type: 'array', items: { type: 'string' } },
            },
          }),
        },
      },
    },
    async () => {
      const plugins = services.plugins.list();
      return {
        data: {
          engines: byName(plugins.filter((p) => p.kind === 'engine')),
          analyzers: byName(plugins.filter((p) => p.kind === 'analyzer' || p.kind === 'page-capturer')),
          url_engines: byName(plugins.filter((p) => p.kind === 'url-engine')),
          intel_sources: byName(plugins.filter((p) => p.kind === 'intel-source')),
          relationships: relationshipCatalog,
          privileges,
        },
      };
    },
  );
}
