/** End to end: comments and votes on a submitted file, through a real server process on SQLite. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { api, startServer, type TestServer } from '../support/server.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const json = { 'content-type': 'application/json' };
const commentBody = (text: string) => JSON.stringify({ data: { type: 'comment', attributes: { text } } });
const voteBody = (verdict: string) => JSON.stringify({ data: { type: 'vote', attributes: { verdict } } });

describe('community end to end', () => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let analystKey: string;
  const sample = `community sample ${Date.now()}`;
  const fileId = sha256(sample);

  before(async () => {
    // Community behaviour is under test here, not the public tier's 4 requests a minute.
    const unlimited = { requestsPerMinute: null, requestsPerDay: null, requestsPerMonth: null, maxConcurrentRequests: 64 };
    server = await startServer({ env: { ASSAY_TIERS: JSON.stringify({ public: unlimited }) } });
    admin = api(server, server.adminKey);
    const up = await admin.upload(sample, 'sample.txt');
    assert.equal(up.status, 200, up.text);
    // A second, non-admin user, made by the CLI on the server's data directory while it runs.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'user', 'create', 'analyst', '--data', server.dataDir]);
    analystKey = stdout.trim().split('\n').pop()!;
  });
  after(async () => server?.stop());

  test('a #phishing comment on the file is found by GET /comments?filter=tag:phishing', async () => {
    const posted = await admin.post(`/files/${fileId}/comments`, commentBody('Credential #Phishing kit, see also #kit'), json);
    assert.equal(posted.status, 200, posted.text);
    assert.match(posted.json.data.id, new RegExp(`^f-${fileId}-[0-9a-f]{8}$`));
    assert.deepEqual(posted.json.data.attributes.tags, ['phishing', 'kit']);

    const found = await admin.get('/comments?filter=tag:phishing');
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.data.map((c: { id: string }) => c.id), [posted.json.data.id]);
    const onFile = await admin.get(`/files/${fileId}/comments`);
    assert.deepEqual(onFile.json.data.map((c: { id: string }) => c.id), [posted.json.data.id]);
  });

  test('a <script> comment comes back escaped in html and unchanged in text', async () => {
    const text = '<script>alert(document.cookie)</script>\n<img src=x onerror="x()">';
    const posted = await admin.post(`/files/${fileId}/comments`, commentBody(text), json);
    assert.equal(posted.status, 200, posted.text);
    const read = await admin.get(`/comments/${posted.json.data.id}`);
    assert.equal(read.json.data.attributes.text, text);
    assert.equal(read.json.data.attributes.html, '&lt;script&gt;alert(document.cookie)&lt;/script&gt;<br>&lt;img src=x onerror=&quot;x()&quot;&gt;');
    assert.doesNotMatch(read.json.data.attributes.html, /<(?!br>)/);
  });

  test('votes move the file\'s total_votes and reputation; a second vote by the same user is 409 AlreadyExistsError', async () => {
    const before = await admin.get(`/files/${fileId}`);
    assert.deepEqual(before.json.data.attributes.total_votes, { harmless: 0, malicious: 0 });
    assert.equal(before.json.data.attributes.reputation, 0);

    const first = await admin.post(`/files/${fileId}/votes`, voteBody('malicious'), json);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json.data.attributes, { date: first.json.data.attributes.date, verdict: 'malicious', value: -1 });
    const second = await admin.post(`/files/${fileId}/votes`, voteBody('harmless'), json);
    assert.equal(second.status, 409, second.text);
    assert.equal(second.json.error.code, 'AlreadyExistsError');

    const analyst = api(server, analystKey);
    assert.equal((await analyst.post(`/files/${fileId}/votes`, voteBody('malicious'), json)).status, 200);
    const after = await admin.get(`/files/${fileId}`);
    assert.deepEqual(after.json.data.attributes.total_votes, { harmless: 0, malicious: 2 });
    assert.equal(after.json.data.attributes.reputation, -2);
    const votes = await admin.get(`/files/${fileId}/votes`);
    assert.equal(votes.json.data.length, 2);
  });

  test('DELETE of a comment by another, non-admin user is 403 ForbiddenError; its author deletes it', async () => {
    const posted = await admin.post(`/files/${fileId}/comments`, commentBody('admin only'), json);
    const id: string = posted.json.data.id;
    const del = (key: string) => fetch(`${server.url}/api/v3/comments/${id}`, { method: 'DELETE', headers: { 'x-apikey': key } });

    const refused = await del(analystKey);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'ForbiddenError');
    assert.equal((await admin.get(`/comments/${id}`)).status, 200, 'still there');

    const deleted = await del(server.adminKey);
    assert.equal(deleted.status, 200);
    assert.deepEqual(await deleted.json(), { data: null });
    assert.equal((await admin.get(`/comments/${id}`)).status, 404);
  });
});
