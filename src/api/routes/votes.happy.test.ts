// Votes endpoints, successful paths, over the real community service on SQLite: the vote object, totals and reputation, listing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createCommunityTestApp, type CommunityTestApp } from '../testing/community-app.js';
import { admin, alice, assertOk, BASE } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const json = { 'content-type': 'application/json' };
const voteBody = (verdict: string) => JSON.stringify({ data: { type: 'vote', attributes: { verdict } } });

describe('votes: happy paths', () => {
  let t: CommunityTestApp;
  before(async () => {
    t = await createCommunityTestApp();
  });
  after(async () => {
    await t.close();
  });

  const vote = (url: string, verdict: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, payload: voteBody(verdict), headers: { ...json, ...headers } });

  it('POST /files/{id}/votes returns the vote object, exactly, and moves total_votes and reputation', async () => {
    const file = await t.recordFile('voted sample');
    t.clock.ms = 1_700_000_200_000;
    const res = await vote(`/api/v3/files/${file.sha1}/votes`, 'malicious', alice);
    assertOk(res);
    const body = res.json() as Json;
    const id = body.data.id as string;
    assert.match(id, new RegExp(`^f-${file.sha256}-v[0-9a-f]{8}$`));
    assert.deepEqual(body, {
      data: {
        type: 'vote',
        id,
        links: { self: `${BASE}/api/v3/votes/${id}` },
        attributes: { date: 1_700_000_200, verdict: 'malicious', value: -1 },
      },
    });
    let stored = await t.store.files.findByHash('sha256', file.sha256);
    assert.deepEqual(stored?.totalVotes, { harmless: 0, malicious: 1 });
    assert.equal(stored?.reputation, -1);

    assertOk(await vote(`/api/v3/files/${file.md5}/votes`, 'harmless', admin));
    stored = await t.store.files.findByHash('sha256', file.sha256);
    assert.deepEqual(stored?.totalVotes, { harmless: 1, malicious: 1 });
    assert.equal(stored?.reputation, 0);

    const read = await t.app.inject({ method: 'GET', url: `/api/v3/votes/${id}`, headers: admin });
    assertOk(read);
    assert.deepEqual(read.json(), body);
  });

  it('GET /{collection}/{id}/votes lists newest first and pages with both cursor forms', async () => {
    const users = [alice, admin];
    for (const [i, headers] of users.entries()) {
      t.clock.ms = 1_700_000_300_000 + i * 1000;
      assertOk(await vote('/api/v3/domains/listed.example/votes', i === 0 ? 'harmless' : 'malicious', headers));
    }
    const first = await t.app.inject({ method: 'GET', url: '/api/v3/domains/LISTED.example/votes?limit=1', headers: alice });
    assertOk(first);
    const page1 = first.json() as Json;
    assert.deepEqual((page1.data as Json[]).map((v) => v.attributes.verdict), ['malicious']);
    assert.equal(typeof page1.meta.cursor, 'string');
    const next = new URL(page1.links.next);
    const second = await t.app.inject({ method: 'GET', url: `${next.pathname}${next.search}`, headers: alice });
    const page2 = second.json() as Json;
    assert.deepEqual((page2.data as Json[]).map((v) => v.attributes.verdict), ['harmless']);
    assert.equal(page2.links.next, undefined);
    assert.deepEqual(await t.store.votes.totals({ type: 'domain', id: 'listed.example' }), { harmless: 1, malicious: 1, reputation: 0 });
  });

  it('votes on URLs and IPs are kept per item until their objects exist', async () => {
    const url = 'http://malware.example/payload.exe';
    const urlId = Buffer.from(url).toString('base64url');
    assertOk(await vote(`/api/v3/urls/${urlId}/votes`, 'malicious', alice));
    assertOk(await vote('/api/v3/ip_addresses/203.0.113.9/votes', 'harmless', alice));
    const sha = createHash('sha256').update(url).digest('hex');
    assert.deepEqual(await t.store.votes.totals({ type: 'url', id: sha }), { harmless: 0, malicious: 1, reputation: -1 });
    assert.deepEqual(await t.store.votes.totals({ type: 'ip_address', id: '203.0.113.9' }), { harmless: 1, malicious: 0, reputation: 1 });
    const listed = await t.app.inject({ method: 'GET', url: `/api/v3/urls/${sha}/votes`, headers: alice });
    assert.equal((listed.json() as Json).data.length, 1);
  });
});
