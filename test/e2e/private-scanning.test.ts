/** Private scanning end to end: a real server; users and a group made through the admin routes; private=true on upload. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { api, startServer, type TestServer } from '../support/server.js';

const unlimited = { requestsPerMinute: null, requestsPerDay: null, requestsPerMonth: null };
const tiers = JSON.stringify({ public: { ...unlimited, privileges: [] }, premium: { ...unlimited, privileges: ['download', 'private_scanning'] } });

describe('private submissions end to end', () => {
  let server: TestServer;
  const keys: Record<string, string> = {};

  before(async () => {
    server = await startServer({ env: { ASSAY_TIERS: tiers } });
    const admin = api(server, server.adminKey);
    const json = { 'content-type': 'application/json' };
    const group = await admin.post('/admin/groups', JSON.stringify({ data: { type: 'group', attributes: { name: 'soc' } } }), json);
    assert.equal(group.status, 200, group.text);
    for (const [name, attributes] of Object.entries({ alice: { tier: 'premium', group: 'soc' }, carol: { group: 'soc' }, bob: {} })) {
      const res = await admin.post('/admin/users', JSON.stringify({ data: { type: 'user', attributes: { name, ...attributes } } }), json);
      assert.equal(res.status, 200, res.text);
      keys[name] = res.json.meta.apikey;
    }
  });
  after(async () => server?.stop());

  test('only the group sees a private file and its analysis; others get 404 NotFoundError', async () => {
    const content = `private sample ${Date.now()}`;
    const sha256 = createHash('sha256').update(content).digest('hex');
    const form = new FormData();
    form.append('private', 'true');
    form.append('file', new Blob([content]), 'secret.txt');
    const up = await api(server, keys.alice!).post('/files', form);
    assert.equal(up.status, 200, up.text);
    const analysisId: string = up.json.data.id;
    const done = await api(server, keys.carol!).waitForAnalysis(analysisId);
    assert.equal(done.meta.file_info.sha256, sha256);

    const file = await api(server, keys.carol!).get(`/files/${sha256}`);
    assert.equal(file.status, 200, file.text);
    assert.deepEqual(file.json.data.attributes.names, []);

    for (const outsider of [keys.bob!, server.adminKey]) {
      for (const p of [`/files/${sha256}`, `/analyses/${encodeURIComponent(analysisId)}`, `/files/${sha256}/analyses`]) {
        const res = await api(server, outsider).get(p);
        assert.equal(res.status, 404, `${p}: ${res.text}`);
        assert.equal(res.json.error.code, 'NotFoundError');
      }
    }
  });

  test('comments and votes written privately stay hidden once the same bytes are submitted publicly', async () => {
    const content = `shared later ${Date.now()}`;
    const sha256 = createHash('sha256').update(content).digest('hex');
    const form = new FormData();
    form.append('private', 'true');
    form.append('file', new Blob([content]), 'alice-only.txt');
    const up = await api(server, keys.alice!).post('/files', form);
    assert.equal(up.status, 200, up.text);
    const privateAnalysis: string = up.json.data.id;
    await api(server, keys.alice!).waitForAnalysis(privateAnalysis);

    const json = { 'content-type': 'application/json' };
    const alice = api(server, keys.alice!);
    const comment = await alice.post(`/files/${sha256}/comments`, JSON.stringify({ data: { type: 'comment', attributes: { text: 'ALICE-SECRET-NOTE #alicetag' } } }), json);
    assert.equal(comment.status, 200, comment.text);
    const commentId: string = comment.json.data.id;
    const vote = await alice.post(`/files/${sha256}/votes`, JSON.stringify({ data: { type: 'vote', attributes: { verdict: 'malicious' } } }), json);
    assert.equal(vote.status, 200, vote.text);
    const voteId: string = vote.json.data.id;

    // Bob submits the same bytes publicly: the file becomes public, alice's notes must not.
    const bob = api(server, keys.bob!);
    const pub = await bob.upload(content, 'bob.txt');
    assert.equal(pub.status, 200, pub.text);
    const publicAnalysis: string = pub.json.data.id;

    // Until bob's own analysis completes, the file shows no analysis at all: not the private one.
    const early = await bob.get(`/files/${sha256}`);
    assert.equal(early.status, 200, early.text);
    const pending = await bob.get(`/analyses/${encodeURIComponent(publicAnalysis)}`);
    if (pending.json.data.attributes.status !== 'completed') assert.equal(early.json.data.attributes.last_analysis_date ?? null, null);
    await bob.waitForAnalysis(publicAnalysis);

    const file = await bob.get(`/files/${sha256}`);
    assert.equal(file.status, 200, file.text);
    assert.deepEqual(file.json.data.attributes.total_votes, { harmless: 0, malicious: 0 });
    assert.equal(file.json.data.attributes.reputation, 0);
    assert.deepEqual(file.json.data.attributes.names, ['bob.txt']);
    assert.equal(file.json.data.attributes.times_submitted, 1, 'the private submission is not counted for bob');
    assert.doesNotMatch(file.text, /ALICE-SECRET-NOTE|alicetag/);

    for (const [path, what] of [
      [`/files/${sha256}/comments`, 'comments of the file'],
      ['/comments?filter=tag:alicetag', 'comments by tag'],
      ['/comments?limit=40', 'latest comments'],
      [`/files/${sha256}/votes`, 'votes of the file'],
    ] as const) {
      const res = await bob.get(path);
      assert.equal(res.status, 200, `${what}: ${res.text}`);
      assert.doesNotMatch(JSON.stringify(res.json.data), /ALICE-SECRET-NOTE|alicetag/, what);
      assert.ok(!res.json.data.some((o: { id: string }) => o.id === commentId || o.id === voteId), what);
    }
    for (const path of [`/comments/${commentId}`, `/votes/${voteId}`, `/analyses/${encodeURIComponent(privateAnalysis)}`]) {
      const res = await bob.get(path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.equal(res.json.error.code, 'NotFoundError');
    }
    const analyses = await bob.get(`/files/${sha256}/analyses`);
    assert.deepEqual(analyses.json.data.map((a: { id: string }) => a.id), [publicAnalysis]);

    // Bob may vote publicly; the group still sees its own note and vote, on top of the public ones.
    assert.equal((await bob.post(`/files/${sha256}/votes`, JSON.stringify({ data: { type: 'vote', attributes: { verdict: 'harmless' } } }), json)).status, 200);
    const carol = api(server, keys.carol!);
    const seen = await carol.get(`/files/${sha256}`);
    assert.deepEqual(seen.json.data.attributes.total_votes, { harmless: 1, malicious: 1 });
    assert.equal(seen.json.data.attributes.reputation, 0);
    assert.equal(seen.json.data.attributes.times_submitted, 2);
    const bobSees = await bob.get(`/files/${sha256}`);
    assert.deepEqual(bobSees.json.data.attributes.total_votes, { harmless: 1, malicious: 0 });
    assert.equal(bobSees.json.data.attributes.reputation, 1);
    const tagged = await carol.get('/comments?filter=tag:alicetag');
    assert.deepEqual(tagged.json.data.map((c: { id: string }) => c.id), [commentId]);
    assert.equal((await carol.get(`/comments/${commentId}`)).status, 200);
    assert.equal((await carol.get(`/votes/${voteId}`)).status, 200);
    const carolVotes = await carol.get(`/files/${sha256}/votes`);
    assert.equal(carolVotes.json.data.length, 2);
    // Voting on a hidden comment is refused as if it did not exist.
    assert.equal((await bob.post(`/comments/${commentId}/vote`, JSON.stringify({ data: 'positive' }), json)).status, 404);
  });

  test('private=true without private_scanning: 403 ForbiddenError', async () => {
    const form = new FormData();
    form.append('file', new Blob([`refused ${Date.now()}`]), 'x.txt');
    form.append('private', 'true');
    const res = await api(server, keys.bob!).post('/files', form);
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.code, 'ForbiddenError');
  });
});
