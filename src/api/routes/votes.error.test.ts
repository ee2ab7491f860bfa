// Votes endpoints, failures: a second vote (also when concurrent), bad verdicts and bodies, unknown files and votes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCommunityTestApp, type CommunityTestApp } from '../testing/community-app.js';
import { admin, alice, assertError, assertOk } from '../testing/harness.js';

const json = { 'content-type': 'application/json' };
const voteBody = (verdict: unknown) => JSON.stringify({ data: { type: 'vote', attributes: { verdict } } });

describe('votes: errors', () => {
  let t: CommunityTestApp;
  before(async () => {
    t = await createCommunityTestApp();
  });
  after(async () => {
    await t.close();
  });

  const post = (url: string, payload: string, headers: Record<string, string> = alice) =>
    t.app.inject({ method: 'POST', url, payload, headers: { ...json, ...headers } });

  it('a second vote by the same user on the same object: 409 AlreadyExistsError, totals unchanged', async () => {
    const file = await t.recordFile('twice');
    assertOk(await post(`/api/v3/files/${file.sha256}/votes`, voteBody('harmless')));
    const again = await post(`/api/v3/files/${file.md5}/votes`, voteBody('malicious'));
    assertError(again, 409, 'AlreadyExistsError', `User "u-alice" has already voted on file "${file.sha256}"`);
    assertOk(await post('/api/v3/domains/twice.example/votes', voteBody('harmless')));
    // One domain, however it is spelled.
    assertError(await post('/api/v3/domains/TWICE.example./votes', voteBody('harmless')), 409, 'AlreadyExistsError');
    const stored = await t.store.files.findByHash('sha256', file.sha256);
    assert.deepEqual(stored?.totalVotes, { harmless: 1, malicious: 0 });
    assert.equal(stored?.reputation, 1);
    // Another user still may.
    assertOk(await post(`/api/v3/files/${file.sha256}/votes`, voteBody('malicious'), admin));
  });

  it('20 concurrent votes by one user: exactly one 200, the rest 409', async () => {
    const file = await t.recordFile('concurrent');
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(`/api/v3/files/${file.sha256}/votes`, voteBody('malicious'))));
    assert.equal(responses.filter((r) => r.statusCode === 200).length, 1);
    for (const r of responses.filter((x) => x.statusCode !== 200)) assertError(r, 409, 'AlreadyExistsError');
    const stored = await t.store.files.findByHash('sha256', file.sha256);
    assert.deepEqual(stored?.totalVotes, { harmless: 0, malicious: 1 });
    assert.equal(stored?.reputation, -1);
  });

  it('a verdict other than harmless or malicious: 400 InvalidArgumentError', async () => {
    const file = await t.recordFile('verdicts');
    for (const verdict of ['suspicious', 'HARMLESS', '', 1, null]) {
      assertError(await post(`/api/v3/files/${file.sha256}/votes`, voteBody(verdict)), 400, 'InvalidArgumentError');
    }
    assertError(await post(`/api/v3/files/${file.sha256}/votes`, voteBody('positive')), 400, 'InvalidArgumentError', 'Vote verdict must be one of harmless, malicious');
    assertError(await post(`/api/v3/files/${file.sha256}/votes`, '{"data": {"type": "vote", "attributes": {}}}'), 400, 'InvalidArgumentError');
    assert.deepEqual((await t.store.votes.listForItem({ type: 'file', id: file.sha256 }, { limit: 10 })).items, []);
  });

  it('malformed JSON or the wrong envelope: 400 BadRequestError', async () => {
    const url = '/api/v3/domains/body.example/votes';
    for (const payload of ['{"data":', '', '{}', '{"data": "malicious"}', '{"data": {"type": "comment", "attributes": {"verdict": "malicious"}}}', '{"data": {"type": "vote"}}']) {
      assertError(await post(url, payload), 400, 'BadRequestError');
    }
  });

  it('an unknown file or vote: 404 NotFoundError; invalid ids: 400', async () => {
    const unknown = 'c'.repeat(64);
    assertError(await post(`/api/v3/files/${unknown}/votes`, voteBody('harmless')), 404, 'NotFoundError', `File "${unknown}" not found`);
    assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${unknown}/votes`, headers: alice }), 404, 'NotFoundError');
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/votes/f-nothing-v00000000', headers: alice }), 404, 'NotFoundError', 'Vote "f-nothing-v00000000" not found');
    assertError(await post('/api/v3/ip_addresses/10.0.0.256/votes', voteBody('harmless')), 400, 'InvalidArgumentError');
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/domains/example.com/votes?cursor=bad', headers: alice }), 400, 'InvalidArgumentError', 'Invalid cursor');
  });
});
