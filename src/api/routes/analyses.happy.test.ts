// Analyses endpoints, successful paths: the analysis with file_info, and its item in both forms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verdictCategories } from '../../core/verdict.js';
import { engineResult } from '../testing/fake-services.js';
import { alice, admin, assertOk, BASE, createTestApp, filePart, multipart, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const zeroStats = Object.fromEntries(verdictCategories.map((c) => [c, 0]));

describe('analyses: happy paths', () => {
  let t: TestApp;
  let completedId: string;
  let sha256: string;
  before(async () => {
    t = await createTestApp();
    const file = t.fake.seedFile(Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR'), {
      name: 'eicar.com',
      analyses: [[engineResult('ClamAV', 'malicious', 'Eicar-Signature'), engineResult('YARA', 'undetected'), engineResult('Heur', 'timeout')]],
    });
    sha256 = file.sha256;
    completedId = file.lastAnalysisId!;
  });
  after(async () => {
    await t.close();
  });

  it('a queued analysis right after upload: status, integer date, 8 zero stats, empty results, file_info', async () => {
    const body = multipart([filePart('fresh upload')]);
    const posted = (await t.app.inject({ method: 'POST', url: '/api/v3/files', payload: body.payload, headers: { ...body.headers, ...admin } })).json() as Json;
    const res = await t.app.inject({ method: 'GET', url: new URL(posted.data.links.self).pathname, headers: alice });
    assertOk(res);
    const got = res.json() as Json;
    const analysis = t.fake.state.analyses.get(posted.data.id)!;
    const file = t.fake.state.files.get(analysis.itemId)!;
    assert.deepEqual(got, {
      data: {
        type: 'analysis',
        id: posted.data.id,
        links: { self: `${BASE}/api/v3/analyses/${posted.data.id}` },
        attributes: { date: analysis.date, status: 'queued', stats: zeroStats, results: {} },
      },
      meta: { file_info: { sha256: file.sha256, sha1: file.sha1, md5: file.md5, size: file.size } },
    });
    assert.ok(Number.isInteger(got.data.attributes.date));
  });

  it('a completed analysis: results keyed by engine, all 8 stats keys', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${completedId}`, headers: alice });
    assertOk(res);
    const a = (res.json() as Json).data.attributes;
    assert.equal(a.status, 'completed');
    assert.deepEqual(a.stats, { ...zeroStats, malicious: 1, undetected: 1, timeout: 1 });
    assert.deepEqual(Object.keys(a.results).sort(), ['ClamAV', 'Heur', 'YARA']);
    assert.deepEqual(a.results.ClamAV, {
      engine_name: 'ClamAV',
      category: 'malicious',
      result: 'Eicar-Signature',
      method: 'blacklist',
      engine_version: '1.0',
      engine_update: '20240101',
    });
  });

  it('an id with base64 padding works raw and percent-encoded, and links keep the "="', async () => {
    // VT's own example id: base64("<md5>:<unix seconds>") ends in "==".
    const padded = 'NjY0MjRlOTFjMDIyYTkyNWM0NjU2NWQzYWNlMzFmZmI6MTQ3NTA0ODI3Nw==';
    t.fake.state.analyses.set(padded, { ...t.fake.state.analyses.get(completedId)!, id: padded });
    for (const path of [padded, encodeURIComponent(padded)]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${path}`, headers: alice });
      assertOk(res);
      assert.equal((res.json() as Json).data.id, padded);
      assert.equal((res.json() as Json).data.links.self, `${BASE}/api/v3/analyses/${padded}`);
    }
  });

  it('GET /analyses/{id}/item is the analysed file object (vt-cli scan --wait)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${completedId}/item`, headers: alice });
    assertOk(res);
    const body = res.json() as Json;
    assert.equal(body.data.type, 'file');
    assert.equal(body.data.id, sha256);
    assert.equal(body.data.links.self, `${BASE}/api/v3/files/${sha256}`);
    assert.equal(body.data.attributes.meaningful_name, 'eicar.com');
  });

  it('GET /analyses/{id}/relationships/item is the descriptor', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${completedId}/relationships/item`, headers: alice });
    assertOk(res);
    assert.deepEqual(res.json(), {
      data: { type: 'file', id: sha256 },
      links: {
        self: `${BASE}/api/v3/analyses/${completedId}/relationships/item`,
        related: `${BASE}/api/v3/analyses/${completedId}/item`,
      },
    });
  });

  it('?relationships=item inlines the one-to-one descriptor', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${completedId}?relationships=item`, headers: alice });
    assertOk(res);
    assert.deepEqual((res.json() as Json).data.relationships, {
      item: {
        data: { type: 'file', id: sha256 },
        links: {
          self: `${BASE}/api/v3/analyses/${completedId}/relationships/item`,
          related: `${BASE}/api/v3/analyses/${completedId}/item`,
        },
      },
    });
  });

  describe('URL analyses', () => {
    const url = 'https://Analysed.example/path';
    let analysisId: string;
    let urlId: string;
    before(() => {
      const record = t.fake.seedUrl(url, { analyses: [[engineResult('URLhaus', 'malicious', 'phishing')]] });
      analysisId = record.lastAnalysisId!;
      urlId = record.id;
    });

    it('meta.url_info gives the URL id and the URL as submitted, instead of file_info', async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${analysisId}`, headers: alice });
      assertOk(res);
      const body = res.json() as Json;
      assert.deepEqual(body.meta, { url_info: { id: urlId, url } });
      assert.equal(body.data.attributes.status, 'completed');
      assert.deepEqual(body.data.attributes.stats, { ...zeroStats, malicious: 1 });
    });

    it('/item is the URL object, /relationships/item and ?relationships=item its descriptor', async () => {
      const item = (await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${analysisId}/item`, headers: alice })).json() as Json;
      assert.deepEqual([item.data.type, item.data.id, item.data.links.self], ['url', urlId, `${BASE}/api/v3/urls/${urlId}`]);
      assert.equal(item.data.attributes.url, url);
      const links = { self: `${BASE}/api/v3/analyses/${analysisId}/relationships/item`, related: `${BASE}/api/v3/analyses/${analysisId}/item` };
      const descriptor = await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${analysisId}/relationships/item`, headers: alice });
      assert.deepEqual(descriptor.json(), { data: { type: 'url', id: urlId }, links });
      const inline = (await t.app.inject({ method: 'GET', url: `/api/v3/analyses/${analysisId}?relationships=item`, headers: alice })).json() as Json;
      assert.deepEqual(inline.data.relationships, { item: { data: { type: 'url', id: urlId }, links } });
    });
  });
});
