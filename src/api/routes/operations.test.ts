// Unauthenticated operational routes: /healthz, /metrics and /api/v3/openapi.json.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alice, assertError, BASE, createTestApp, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

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
      'GET /api/v3/ip_addresses/{id}/comments',
      'GET /api/v3/ip_addresses/{id}/votes',
      'GET /api/v3/metadata',
      'GET /api/v3/openapi.json',
      'GET /api/v3/urls/{id}/comments',
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
      'POST /api/v3/domains/{id}/comments',
      'POST /api/v3/domains/{id}/votes',
      'POST /api/v3/files',
      'POST /api/v3/files/upload/{token}',
      'POST /api/v3/files/{id}/analyse',
      'POST /api/v3/files/{id}/comments',
      'POST /api/v3/files/{id}/votes',
      'POST /api/v3/ip_addresses/{id}/comments',
      'POST /api/v3/ip_addresses/{id}/votes',
      'POST /api/v3/urls/{id}/comments',
      'POST /api/v3/urls/{id}/votes',
    ]);
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
  });
});
