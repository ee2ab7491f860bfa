// /metrics: Prometheus text, the per-route request counter and latency histogram, and the plugin host's call counts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { PluginCallStats } from '../../app/services.js';

/** One registry per app, so several apps in one process (tests) never collide on metric names. */
export function createHttpMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({ name: 'assay_http_requests_total', help: 'HTTP requests by route and status', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'assay_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // Label sets are few (method x route x status); each one's series are looked up once, not hashed per request.
  const series = new Map<string, { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof duration.labels> }>();
  return {
    registry,
    /** onResponse hook (callback style: no promise per request). Unmatched URLs share one label so probing cannot grow the series count. */
    onResponse: (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const key = `${request.method} ${route} ${reply.statusCode}`;
      let found = series.get(key);
      if (!found) {
        const labels = { method: request.method, route, status_code: String(reply.statusCode) };
        found = { count: requests.labels(labels), time: duration.labels(labels) };
        series.set(key, found);
      }
      found.count.inc();
      found.time.observe(reply.elapsedTime / 1000);
      done();
    },
  };
}

/**
 * Plugin calls per kind, plugin and outcome, read from the plugin host's counts at scrape time
 * (collect()): the host counts every call, the API only shows them.
 */
export function registerPluginMetrics(registry: Registry, calls: () => PluginCallStats[]): void {
  const labelNames = ['kind', 'plugin', 'outcome'] as const;
  // One snapshot per scrape, read by the first metric collected and shared with the second.
  let snapshot: PluginCallStats[] = [];
  new Counter({
    name: 'assay_plugin_calls_total',
    help: 'Plugin calls by kind, plugin and outcome (ok, failure, timeout)',
    labelNames,
    registers: [registry],
    collect() {
      snapshot = calls();
      this.reset();
      for (const s of snapshot) this.inc({ kind: s.kind, plugin: s.plugin, outcome: s.outcome }, s.count);
    },
  });
  new Counter({
    name: 'assay_plugin_call_seconds',
    help: 'Seconds spent in plugin calls by kind, plugin and outcome (divide by assay_plugin_calls_total for the mean)',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of snapshot) this.inc({ kind: s.kind, plugin: s.plugin, outcome: s.outcome }, s.seconds);
    },
  });
}

export async function metricsRoutes(app: FastifyInstance, { registry }: { registry: Registry }): Promise<void> {
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: 'text/plain; version=0.0.4', response: { 200: { type: 'string' } } } },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
}
