// Comments endpoints, failures: bad item ids, bad bodies and text, unknown comments, deleting others' comments, bad filters and pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCommunityTestApp, type CommunityTestApp } from '../testing/community-app.js';
import { admin, alice, assertError, assertOk } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const json = { 'content-type': 'application/json' };
const commentBody = (text: unknown) => JSON.stringify({ data: { type: 'comment', attributes: { text } } });

describe('comments: errors', () => {
  let t: CommunityTestApp;
  let fileId: string;
  before(async () => {
    t = await createCommunityTestApp();
    fileId = (await t.recordFile('error sample')).sha256;
  });
  after(async () => {
    await t.close();
  });

  const post = (url: string, payload: string, headers: Record<string, string> = { ...json, ...alice }) =>
    t.app.inject({ method: 'POST', url, payload, headers });

  it('an unknown file: 404 NotFoundError; a malformed hash: 400 InvalidArgumentError', async () => {
    const unknown = 'a'.repeat(64);
    assertError(await post(`/api/v3/files/${unknown}/comments`, commentBody('x')), 404, 'NotFoundError', `File "${unknown}" not found`);
    assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${unknown}/comments`, headers: alice }), 404, 'NotFoundError');
    assertError(await post('/api/v3/files/not-a-hash/comments', commentBody('x')), 400, 'InvalidArgumentError', /not a valid file hash/);
  });

  it('invalid URL, domain and IP ids: 400 InvalidArgumentError, on GET and POST', async () => {
    const cases = [
      ['/api/v3/urls/not%20base64', /not a valid URL identifier/],
      ['/api/v3/domains/exa_mple..com', /not a valid domain name/],
      ['/api/v3/domains/192.0.2.1', /not a valid domain name/],
      ['/api/v3/ip_addresses/999.1.1.1', /not a valid IP address/],
      ['/api/v3/ip_addresses/example.com', /not a valid IP address/],
    ] as const;
    for (const [path, message] of cases) {
      assertError(await post(`${path}/comments`, commentBody('x')), 400, 'InvalidArgumentError', message);
      assertError(await t.app.inject({ method: 'GET', url: `${path}/comments`, headers: alice }), 400, 'InvalidArgumentError', message);
    }
  });

  it('malformed JSON, no body, or the wrong envelope: 400 BadRequestError', async () => {
    const url = `/api/v3/files/${fileId}/comments`;
    assertError(await post(url, '{"data": '), 400, 'BadRequestError', /Malformed JSON body/);
    assertError(await post(url, ''), 400, 'BadRequestError', /Expected a JSON body/);
    for (const payload of ['[]', '"text"', '{}', '{"data": "text"}', '{"data": {"type": "vote", "attributes": {"text": "x"}}}', '{"data": {"type": "comment"}}']) {
      assertError(await post(url, payload), 400, 'BadRequestError', undefined);
    }
    assertError(await post(url, 'text=hello', { ...alice, 'content-type': 'application/x-www-form-urlencoded' }), 400, 'BadRequestError');
    assertError(await post(url, commentBody('x'), { ...alice, 'content-type': 'text/plain' }), 400, 'BadRequestError');
  });

  it('text missing, not a string, empty, too long or with NUL: 400 InvalidArgumentError, nothing stored', async () => {
    const url = `/api/v3/files/${fileId}/comments`;
    assertError(await post(url, '{"data": {"type": "comment", "attributes": {}}}'), 400, 'InvalidArgumentError', '"data.attributes.text" must be a string');
    assertError(await post(url, commentBody(42)), 400, 'InvalidArgumentError');
    assertError(await post(url, commentBody('')), 400, 'InvalidArgumentError', 'Comment text must not be empty');
    assertError(await post(url, commentBody(' \n ')), 400, 'InvalidArgumentError', 'Comment text must not be empty');
    assertError(await post(url, commentBody('x'.repeat(4001))), 400, 'InvalidArgumentError', 'Comment text is 4001 characters long; the limit is 4000');
    assertError(await post(url, commentBody('a\u0000b')), 400, 'InvalidArgumentError', /NUL/);
    assertOk(await post(url, commentBody('x'.repeat(4000))));
    const list = await t.app.inject({ method: 'GET', url, headers: alice });
    assert.equal((list.json() as Json).data.length, 1, 'only the valid comment was stored');
  });

  it('an unknown comment: 404 NotFoundError on GET, DELETE, vote, relationships and item', async () => {
    const id = `f-${fileId}-00000000`;
    for (const [method, suffix] of [
      ['GET', ''],
      ['DELETE', ''],
      ['GET', '/relationships/author'],
      ['GET', '/relationships/item'],
      ['GET', '/item'],
    ] as const) {
      assertError(await t.app.inject({ method, url: `/api/v3/comments/${id}${suffix}`, headers: alice }), 404, 'NotFoundError', `Comment "${id}" not found`);
    }
    assertError(await post(`/api/v3/comments/${id}/vote`, '{"data": "positive"}'), 404, 'NotFoundError', `Comment "${id}" not found`);
  });

  it('DELETE by someone who is neither the author nor an admin: 403 ForbiddenError, the comment stays', async () => {
    const id = ((await post(`/api/v3/files/${fileId}/comments`, commentBody('admin wrote this'), { ...json, ...admin })).json() as Json).data.id;
    assertError(
      await t.app.inject({ method: 'DELETE', url: `/api/v3/comments/${id}`, headers: alice }),
      403,
      'ForbiddenError',
      'Only the author of a comment or an admin can delete it',
    );
    assertOk(await t.app.inject({ method: 'GET', url: `/api/v3/comments/${id}`, headers: alice }));
  });

  it('a comment vote other than positive, negative or abuse: 400; a malformed vote body: 400 BadRequestError', async () => {
    const id = ((await post(`/api/v3/files/${fileId}/comments`, commentBody('vote target'))).json() as Json).data.id;
    const url = `/api/v3/comments/${id}/vote`;
    assertError(await post(url, '{"data": "harmless"}'), 400, 'InvalidArgumentError', 'Comment vote must be one of positive, negative, abuse');
    assertError(await post(url, '{"data": {"positive": 1}}'), 400, 'BadRequestError');
    assertError(await post(url, '{}'), 400, 'BadRequestError');
    assertError(await post(url, '{"data"'), 400, 'BadRequestError');
  });

  it('an unsupported filter, a bad cursor or limit, an unknown relationship: 400 InvalidArgumentError', async () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: alice });
    assertError(await get('/api/v3/comments?filter=engines:5'), 400, 'InvalidArgumentError', 'Unsupported filter "engines:5"; use tag:<tag>');
    assertError(await get('/api/v3/comments?filter=tag:'), 400, 'InvalidArgumentError');
    assertError(await get('/api/v3/comments?cursor=garbage'), 400, 'InvalidArgumentError', 'Invalid cursor');
    assertError(await get(`/api/v3/files/${fileId}/comments?cursor=garbage`), 400, 'InvalidArgumentError', 'Invalid cursor');
    for (const limit of ['0', '-1', 'ten']) assertError(await get(`/api/v3/comments?limit=${limit}`), 400, 'InvalidArgumentError');
    assertError(await get('/api/v3/comments?relationships=votes'), 400, 'InvalidArgumentError', /Unknown relationship "votes" for comment objects/);
    assertError(await get(`/api/v3/files/${'b'.repeat(64)}/comments?relationships=nope`), 400, 'InvalidArgumentError', /Unknown relationship/);
  });

  it('/comments/{id}/item of a comment on a URL never submitted: 404 NotFoundError', async () => {
    const urlId = Buffer.from('https://never-submitted.example/').toString('base64url');
    const id = ((await post(`/api/v3/urls/${urlId}/comments`, commentBody('u'))).json() as Json).data.id;
    assertError(await t.app.inject({ method: 'GET', url: `/api/v3/comments/${id}/item`, headers: alice }), 404, 'NotFoundError', /not found/);
  });
});
