// Comment and vote endpoints, authentication and quota: every route needs a key and is counted once, under "comments" or "votes".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCommunityTestApp, type CommunityTestApp } from '../testing/community-app.js';
import { admin, alice, assertError } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const json = { 'content-type': 'application/json' };

describe('comments and votes: authentication', () => {
  let t: CommunityTestApp;
  let fileId: string;
  let commentId: string;
  before(async () => {
    t = await createCommunityTestApp();
    fileId = (await t.recordFile('auth sample')).sha256;
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v3/files/${fileId}/comments`,
      payload: JSON.stringify({ data: { type: 'comment', attributes: { text: 'x' } } }),
      headers: { ...json, ...admin },
    });
    commentId = (created.json() as Json).data.id;
  });
  after(async () => {
    await t.close();
  });

  const comment = JSON.stringify({ data: { type: 'comment', attributes: { text: 'counted' } } });
  const vote = JSON.stringify({ data: { type: 'vote', attributes: { verdict: 'harmless' } } });
  interface Route {
    method: 'GET' | 'POST' | 'DELETE';
    url: string;
    payload?: string;
    group: string;
  }
  const routes = (): Route[] => [
    ...Object.entries({ files: fileId, urls: 'a'.repeat(64), domains: 'example.com', ip_addresses: '192.0.2.1' }).flatMap(([collection, id]): Route[] => {
      return [
        { method: 'GET', url: `/api/v3/${collection}/${id}/comments`, group: 'comments' },
        { method: 'POST', url: `/api/v3/${collection}/${id}/comments`, payload: comment, group: 'comments' },
        { method: 'GET', url: `/api/v3/${collection}/${id}/votes`, group: 'votes' },
        { method: 'POST', url: `/api/v3/${collection}/${id}/votes`, payload: vote, group: 'votes' },
      ];
    }),
    { method: 'GET', url: '/api/v3/comments?filter=tag:x', group: 'comments' },
    { method: 'GET', url: `/api/v3/comments/${commentId}`, group: 'comments' },
    { method: 'GET', url: `/api/v3/comments/${commentId}/relationships/item`, group: 'comments' },
    { method: 'GET', url: `/api/v3/comments/${commentId}/item`, group: 'comments' },
    { method: 'POST', url: `/api/v3/comments/${commentId}/vote`, payload: '{"data": "positive"}', group: 'votes' },
    { method: 'GET', url: '/api/v3/votes/f-x-v00000000', group: 'votes' },
    // Last: it deletes the comment the routes above use.
    { method: 'DELETE', url: `/api/v3/comments/${commentId}`, group: 'comments' },
  ];

  it('no x-apikey: 401 AuthenticationRequiredError on every route, nothing stored', async () => {
    for (const r of routes()) {
      const res = await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: json });
      assertError(res, 401, 'AuthenticationRequiredError', 'X-Apikey header is missing');
    }
    assert.deepEqual((await t.store.comments.listLatest({ limit: 10 })).items.map((c) => c.id), [commentId]);
  });

  it('a wrong key: 401 WrongCredentialsError on every route', async () => {
    for (const r of routes()) {
      const res = await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...json, 'x-apikey': 'not-a-key' } });
      assertError(res, 401, 'WrongCredentialsError');
    }
  });

  it('a refused quota: 429 before any work', async () => {
    t.fake.state.overQuota.add('u-alice');
    try {
      const res = await t.app.inject({ method: 'POST', url: `/api/v3/files/${fileId}/comments`, payload: comment, headers: { ...json, ...alice } });
      assertError(res, 429, 'QuotaExceededError');
      assert.equal((await t.store.comments.listForItem({ type: 'file', id: fileId }, { limit: 10 })).items.length, 1);
    } finally {
      t.fake.state.overQuota.delete('u-alice');
    }
  });

  it('admits each authenticated request once, under its endpoint group', async () => {
    for (const r of routes()) {
      t.fake.state.admitted.length = 0;
      await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...json, ...admin } });
      assert.deepEqual(t.fake.state.admitted, [{ userId: 'u-admin', group: r.group }], `${r.method} ${r.url}`);
    }
  });
});
