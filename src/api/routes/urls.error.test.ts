// URL endpoints, failures: bad and missing URLs, unparseable forms, unknown and malformed ids, unknown relationships.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_URL_BYTES } from '../../core/url-canonical.js';
import { admin, alice, assertError, createTestApp, multipart, type TestApp } from '../testing/harness.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const b64url = (text: string) => Buffer.from(text).toString('base64url');

describe('urls: errors', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  const postForm = (body: string) => t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: body, headers: { ...admin, ...form } });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: alice });

  it('a URL the service refuses: 400 InvalidArgumentError, in both encodings, nothing recorded', async () => {
    const bad = ['javascript:alert(1)', 'http://', 'http://exa mple.com/\u0001', 'mailto:someone@example.com', `http://example.com/${'a'.repeat(MAX_URL_BYTES)}`];
    for (const url of bad) {
      assertError(await postForm(new URLSearchParams({ url }).toString()), 400, 'InvalidArgumentError');
      const body = multipart([{ name: 'url', content: url }]);
      assertError(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: body.payload, headers: { ...admin, ...body.headers } }), 400, 'InvalidArgumentError');
    }
    assert.equal(t.fake.state.network.urls.size, 0);
  });

  it('no "url" field, or an empty one: 400 InvalidArgumentError', async () => {
    assertError(await postForm('link=http://example.com/'), 400, 'InvalidArgumentError', /"url" field is missing/);
    assertError(await postForm(''), 400, 'InvalidArgumentError', /"url" field is missing/);
    assertError(await postForm('url='), 400, 'InvalidArgumentError');
    assertError(await t.app.inject({ method: 'POST', url: '/api/v3/urls', headers: admin }), 400, 'InvalidArgumentError', /"url" field is missing/);
    const body = multipart([{ name: 'link', content: 'http://example.com/' }]);
    assertError(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: body.payload, headers: { ...admin, ...body.headers } }), 400, 'InvalidArgumentError', /"url" field is missing/);
  });

  it('two "url" fields: 400 InvalidArgumentError rather than a guess', async () => {
    assertError(await postForm('url=http://a.example/&url=http://b.example/'), 400, 'InvalidArgumentError', /exactly one/);
    const body = multipart([
      { name: 'url', content: 'http://a.example/' },
      { name: 'url', content: 'http://b.example/' },
    ]);
    assertError(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: body.payload, headers: { ...admin, ...body.headers } }), 400, 'InvalidArgumentError', /exactly one/);
  });

  it('a multipart url field over the bound: 400 InvalidArgumentError, cut by the parser', async () => {
    const body = multipart([{ name: 'url', content: `http://example.com/${'a'.repeat(MAX_URL_BYTES + 2048)}` }]);
    assertError(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: body.payload, headers: { ...admin, ...body.headers } }), 400, 'InvalidArgumentError', /longer than/);
  });

  it('a body that is not a form: 400 BadRequestError', async () => {
    const post = (payload: string, contentType: string) => t.app.inject({ method: 'POST', url: '/api/v3/urls', payload, headers: { ...admin, 'content-type': contentType } });
    assertError(await post('{"url": "http://example.com/"}', 'application/json'), 400, 'BadRequestError', /x-www-form-urlencoded or multipart\/form-data/);
    assertError(await post('{"url"', 'application/json'), 400, 'BadRequestError');
    assertError(await post('url=http://example.com/', 'text/plain'), 400, 'BadRequestError');
    assertError(await post('--zz\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttp://x', 'multipart/form-data; boundary=zz'), 400, 'BadRequestError', /Malformed multipart/);
  });

  it('a file part: 400 BadRequestError, the URL is a plain field', async () => {
    const body = multipart([
      { name: 'file', content: Buffer.alloc(64 * 1024), filename: 'urls.txt', contentType: 'application/octet-stream' },
      { name: 'url', content: 'http://example.com/' },
    ]);
    assertError(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: body.payload, headers: { ...admin, ...body.headers } }), 400, 'BadRequestError', /Unexpected file part "file"/);
    assert.equal(t.fake.state.network.urls.size, 0);
  });

  it('an unknown URL: 404 NotFoundError on the report, rescans, analyses and screenshot, by either id form', async () => {
    for (const id of ['b'.repeat(64), b64url('https://never.example/')]) {
      assertError(await get(`/api/v3/urls/${id}`), 404, 'NotFoundError');
      assertError(await t.app.inject({ method: 'POST', url: `/api/v3/urls/${id}/analyse`, headers: alice }), 404, 'NotFoundError');
      assertError(await get(`/api/v3/urls/${id}/analyses`), 404, 'NotFoundError');
      assertError(await get(`/api/v3/urls/${id}/relationships/analyses`), 404, 'NotFoundError');
      assertError(await get(`/api/v3/urls/${id}/screenshot`), 404, 'NotFoundError');
    }
  });

  it('a known URL without a screenshot: 404 NotFoundError in the JSON envelope', async () => {
    const url = t.fake.seedUrl('https://no-screenshot.example/');
    assertError(await get(`/api/v3/urls/${url.id}/screenshot`), 404, 'NotFoundError', /No screenshot/);
  });

  it('an id that is neither a sha256 nor base64url of a URL: 400 InvalidArgumentError', async () => {
    for (const id of ['not*base64', b64url('no scheme or host'), b64url('javascript:void(0)')]) {
      assertError(await get(`/api/v3/urls/${id}`), 400, 'InvalidArgumentError');
      assertError(await get(`/api/v3/urls/${id}/contacted_domains`), 400, 'InvalidArgumentError');
    }
  });

  it('an unknown relationship: 400 InvalidArgumentError in every form, known URL or not', async () => {
    const url = t.fake.seedUrl('https://related.example/');
    for (const id of [url.id, 'c'.repeat(64)]) {
      assertError(await get(`/api/v3/urls/${id}/embedded_js_files`), 400, 'InvalidArgumentError', /Unknown relationship "embedded_js_files" for url objects/);
      assertError(await get(`/api/v3/urls/${id}/relationships/embedded_js_files`), 400, 'InvalidArgumentError', /Unknown relationship/);
      assertError(await get(`/api/v3/urls/${id}?relationships=analyses,embedded_js_files`), 400, 'InvalidArgumentError', /Unknown relationship "embedded_js_files"/);
    }
  });

  it('a bad cursor or limit: 400 InvalidArgumentError', async () => {
    const url = t.fake.seedUrl('https://paged.example/');
    assertError(await get(`/api/v3/urls/${url.id}/contacted_domains?cursor=garbage`), 400, 'InvalidArgumentError', 'Invalid cursor');
    assertError(await get(`/api/v3/urls/${url.id}/analyses?cursor=garbage`), 400, 'InvalidArgumentError', 'Invalid cursor');
    assertError(await get(`/api/v3/urls/${url.id}/redirects_to?limit=0`), 400, 'InvalidArgumentError');
  });
});
