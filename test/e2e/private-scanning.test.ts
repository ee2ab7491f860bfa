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

  test('private=true without private_scanning: 403 ForbiddenError', async () => {
    const form = new FormData();
    form.append('file', new Blob([`refused ${Date.now()}`]), 'x.txt');
    form.append('private', 'true');
    const res = await api(server, keys.bob!).post('/files', form);
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.code, 'ForbiddenError');
  });
});
