// Files endpoints, authentication and quota: every route needs a valid key (the upload URL its token).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiKeys } from '../testing/fake-services.js';
import { admin, alice, assertError, assertOk, createTestApp, filePart, multipart, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('files: authentication', () => {
  let t: TestApp;
  let id: string;
  before(async () => {
    t = await createTestApp();
    id = t.fake.seedFile(Buffer.from('auth sample')).sha256;
  });
  after(async () => {
    await t.close();
  });

  const upload = multipart([filePart('an upload that must not be read')]);
  const routes = () => [
    { method: 'POST' as const, url: '/api/v3/files', payload: upload.payload, headers: upload.headers, group: 'file_upload' },
    { method: 'GET' as const, url: '/api/v3/files/upload_url', group: 'file_upload' },
    { method: 'GET' as const, url: `/api/v3/files/${id}`, group: 'files' },
    { method: 'GET' as const, url: `/api/v3/files/${id}?relationships=analyses`, group: 'files' },
    { method: 'GET' as const, url: `/api/v3/files/${id}/analyses`, group: 'file_relationships' },
    { method: 'GET' as const, url: `/api/v3/files/${id}/relationships/analyses`, group: 'file_relationships' },
    // A relationship VT has and Assay has no data for: an empty list, counted all the same.
    { method: 'GET' as const, url: `/api/v3/files/${id}/contacted_urls`, group: 'file_relationships' },
    // A name VT does not have: refused, but still counted (comments are counted under `comments`).
    { method: 'GET' as const, url: `/api/v3/files/${id}/not_a_relationship`, group: 'file_relationships' },
    { method: 'POST' as const, url: `/api/v3/files/${id}/analyse`, group: 'files' },
    { method: 'GET' as const, url: `/api/v3/files/${id}/download`, group: 'file_download' },
  ];

  it('no x-apikey: 401 AuthenticationRequiredError on every route', async () => {
    for (const r of routes()) {
      const res = await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...r.headers } });
      assertError(res, 401, 'AuthenticationRequiredError', 'X-Apikey header is missing');
    }
  });

  it('an empty x-apikey counts as missing', async () => {
    assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}`, headers: { 'x-apikey': '' } }), 401, 'AuthenticationRequiredError');
  });

  it('a wrong key: 401 WrongCredentialsError on every route', async () => {
    for (const r of routes()) {
      const res = await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...r.headers, 'x-apikey': 'not-a-key' } });
      assertError(res, 401, 'WrongCredentialsError');
    }
  });

  it('an inactive user: 401 UserNotActiveError', async () => {
    assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}`, headers: { 'x-apikey': apiKeys.inactive } }), 401, 'UserNotActiveError');
  });

  it('the header name is case-insensitive (vt-py and vt-go send X-Apikey)', async () => {
    assertOk(await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}`, headers: { 'X-Apikey': apiKeys.alice } }));
  });

  it('refused uploads are never read into staging', async () => {
    assert.deepEqual(await t.fake.blobs.staged(), []);
    assert.deepEqual(t.fake.state.submissions, []);
  });

  it('admits each authenticated request once, under its endpoint group', async () => {
    for (const r of routes()) {
      t.fake.state.admitted.length = 0;
      await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...r.headers, ...admin } });
      assert.deepEqual(t.fake.state.admitted, [{ userId: 'u-admin', group: r.group }], `${r.method} ${r.url}`);
    }
  });

  it('a refused quota: 429 QuotaExceededError with Retry-After, before any work', async () => {
    t.fake.state.overQuota.add('u-alice');
    try {
      const before = t.fake.state.submissions.length;
      const res = await t.app.inject({ method: 'POST', url: '/api/v3/files', payload: upload.payload, headers: { ...upload.headers, ...alice } });
      assertError(res, 429, 'QuotaExceededError');
      assert.equal(res.headers['retry-after'], '60');
      assert.equal(t.fake.state.submissions.length, before);
    } finally {
      t.fake.state.overQuota.delete('u-alice');
    }
  });

  describe('the upload URL', () => {
    const getUrl = async () => new URL(((await t.app.inject({ method: 'GET', url: '/api/v3/files/upload_url', headers: alice })).json() as Json).data).pathname;

    it('is authenticated by its token alone, whatever x-apikey says, and its owner submits', async () => {
      for (const headers of [{}, { 'x-apikey': 'garbage' }]) {
        const path = await getUrl();
        t.fake.state.admitted.length = 0;
        const res = await t.app.inject({ method: 'POST', url: path, payload: upload.payload, headers: { ...upload.headers, ...headers } });
        assertOk(res);
        assert.equal(t.fake.state.submissions.at(-1)!.userId, 'u-alice');
        // Counted once, when the URL was issued.
        assert.deepEqual(t.fake.state.admitted, []);
      }
    });

    it('an unknown token: 404 NotFoundError, body unread', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v3/files/upload/deadbeef', payload: upload.payload, headers: upload.headers });
      assertError(res, 404, 'NotFoundError');
      assert.deepEqual(await t.fake.blobs.staged(), []);
    });
  });

  it('operational routes need no key', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v3/openapi.json' })).statusCode, 200);
  });
});
