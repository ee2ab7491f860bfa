// Unauthenticated operational routes: /healthz, /metrics and /api/v3/openapi.json.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { relationshipCatalog } from '../relationships.js';
import { alice, assertError, BASE, createTestApp, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Both forms of every relationship of URLs, domains and IPs, and of files but analyses (listed below)
 * and comments and votes, whose full form is the community routes' (names pinned in metadata.happy.test.ts).
 */
const relationshipOperations = [
  ...(['urls', 'domains', 'ip_addresses'] as const).flatMap((collection) => {
    const owner = ({ urls: 'url', domains: 'domain', ip_addresses: 'ip_address' } as const)[collection];
    return relationshipCatalog[owner].flatMap(({ name }) => [`GET /api/v3/${collection}/{id}/${name}`, `GET /api/v3/${collection}/{id}/relationships/${name}`]);
  }),
  ...relationshipCatalog.file
    .filter(({ name }) => name !== 'analyses')
    .flatMap(({ name }) => [...(name === 'comments' || name === 'votes' ? [] : [`GET /api/v3/files/{id}/${name}`]), `GET /api/v3/files/{id}/relationships/${name}`]),
];

describe('operations', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('/healthz: 200 {"status":"ok"} when ready, 503 TransientError envelope before', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { status: 'ok' });
    t.fake.state.ready = false;
    try {
      assertError(await t.app.inject({ method: 'GET', url: '/healthz' }), 503, 'TransientError');
    } finally {
      t.fake.state.ready = true;
    }
  });

  it('/healthz: 200 degraded naming an engine that is down, ok again once it is back', async () => {
    const clamav = t.fake.state.plugins.find((p) => p.manifest.name === 'ClamAV')!;
    const before = clamav.readiness;
    clamav.readiness = { ready: false, down: true, detail: 'clamd not answering PING; restarting' };
    try {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200);
      // YARA is merely unavailable here (no rules), not down: it is not named.
      assert.deepEqual(res.json(), { status: 'degraded', engines: { ClamAV: 'not ready: clamd not answering PING; restarting' } });
    } finally {
      clamav.readiness = before;
    }
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
  });

  it('/metrics: Prometheus text with requests counted by route template and status', async () => {
    await t.app.inject({ method: 'GET', url: `/api/v3/files/${'a'.repeat(64)}`, headers: alice });
    await t.app.inject({ method: 'GET', url: '/no/such/route' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.match(res.body, /assay_http_requests_total\{method="GET",route="\/api\/v3\/files\/:id",status_code="404"\} 1/);
    assert.match(res.body, /assay_http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1/);
    assert.match(res.body, /assay_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/v3\/files\/:id",status_code="404"\}/);
    assert.match(res.body, /process_cpu_user_seconds_total/);
  });

  it('/api/v3/openapi.json: OpenAPI 3.1 listing every served route with its parameters and auth', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v3/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as Json;
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.servers, [{ url: BASE }]);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    assert.deepEqual(operations.sort(), [
      ...relationshipOperations,
      'DELETE /api/v3/admin/groups/{id}/members/{user}',
      'DELETE /api/v3/admin/keys/{id}',
      'DELETE /api/v3/admin/users/{id}/privileges/{privilege}',
      'DELETE /api/v3/comments/{id}',
      'GET /api/v3/admin/groups',
      'GET /api/v3/admin/users',
      'GET /api/v3/admin/users/{id}/keys',
      'GET /api/v3/analyses/{id}',
      'GET /api/v3/analyses/{id}/item',
      'GET /api/v3/analyses/{id}/relationships/item',
      'GET /api/v3/comments',
      'GET /api/v3/comments/{id}',
      'GET /api/v3/comments/{id}/item',
      'GET /api/v3/comments/{id}/relationships/author',
      'GET /api/v3/comments/{id}/relationships/item',
      'GET /api/v3/domains/{id}',
      'GET /api/v3/domains/{id}/comments',
      'GET /api/v3/domains/{id}/votes',
      'GET /api/v3/files/upload_url',
      'GET /api/v3/files/{id}',
      'GET /api/v3/files/{id}/analyses',
      'GET /api/v3/files/{id}/comments',
      'GET /api/v3/files/{id}/download',
      'GET /api/v3/files/{id}/relationships/analyses',
      'GET /api/v3/files/{id}/votes',
      'GET /api/v3/groups/{id}',
      'GET /api/v3/ip_addresses/{id}',
      'GET /api/v3/ip_addresses/{id}/comments',
      'GET /api/v3/ip_addresses/{id}/votes',
      'GET /api/v3/metadata',
      'GET /api/v3/openapi.json',
      'GET /api/v3/resolutions/{id}',
      'GET /api/v3/urls/{id}',
      'GET /api/v3/urls/{id}/comments',
      'GET /api/v3/urls/{id}/screenshot',
      'GET /api/v3/urls/{id}/votes',
      'GET /api/v3/users/{id}',
      'GET /api/v3/users/{id}/api_usage',
      'GET /api/v3/users/{id}/overall_quotas',
      'GET /api/v3/votes/{id}',
      'GET /healthz',
      'GET /metrics',
      'PATCH /api/v3/admin/groups/{id}',
      'PATCH /api/v3/admin/users/{id}',
      'POST /api/v3/admin/groups',
      'POST /api/v3/admin/groups/{id}/members',
      'POST /api/v3/admin/keys/{id}/rotate',
      'POST /api/v3/admin/users',
      'POST /api/v3/admin/users/{id}/keys',
      'POST /api/v3/admin/users/{id}/privileges/{privilege}',
      'POST /api/v3/comments/{id}/vote',
      'POST /api/v3/domains/{id}/analyse',
      'POST /api/v3/domains/{id}/comments',
      'POST /api/v3/domains/{id}/votes',
      'POST /api/v3/files',
      'POST /api/v3/files/upload/{token}',
      'POST /api/v3/files/{id}/analyse',
      'POST /api/v3/files/{id}/comments',
      'POST /api/v3/files/{id}/votes',
      'POST /api/v3/ip_addresses/{id}/analyse',
      'POST /api/v3/ip_addresses/{id}/comments',
      'POST /api/v3/ip_addresses/{id}/votes',
      'POST /api/v3/urls',
      'POST /api/v3/urls/{id}/analyse',
      'POST /api/v3/urls/{id}/comments',
      'POST /api/v3/urls/{id}/votes',
    ].sort());
    const list = doc.paths['/api/v3/files/{id}/analyses'].get;
    assert.deepEqual(list.security, [{ apiKey: [] }]);
    assert.deepEqual(
      list.parameters.map((p: Json) => [p.name, p.in, p.required]),
      [
        ['id', 'path', true],
        ['limit', 'query', false],
        ['cursor', 'query', false],
      ],
    );
    assert.deepEqual(doc.paths['/healthz'].get.security, []);
    assert.deepEqual(doc.paths['/api/v3/files/upload/{token}'].post.security, []);
    assert.ok(doc.paths['/api/v3/files'].post.requestBody.content['multipart/form-data']);
    assert.deepEqual(doc.components.securitySchemes.apiKey, { type: 'apiKey', in: 'header', name: 'x-apikey' });
    assert.equal(doc.paths['/api/v3/files/{id}/download'].get.responses['200'].content['application/octet-stream'].schema.format, 'binary');
    assert.equal(doc.paths['/api/v3/urls/{id}/screenshot'].get.responses['200'].content['image/png'].schema.format, 'binary');
    assert.deepEqual(Object.keys(doc.paths['/api/v3/urls'].post.requestBody.content).sort(), ['application/x-www-form-urlencoded', 'multipart/form-data']);
    // One-to-one relationships are not paged; the others take limit and cursor.
    assert.deepEqual(doc.paths['/api/v3/urls/{id}/network_location'].get.parameters.map((p: Json) => p.name), ['id']);
    assert.deepEqual(doc.paths['/api/v3/domains/{id}/subdomains'].get.parameters.map((p: Json) => p.name), ['id', 'limit', 'cursor']);
  });
});
