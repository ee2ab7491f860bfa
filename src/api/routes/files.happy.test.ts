// Files endpoints, successful paths: uploads (direct, chunked, by URL), reports, analyses, rescan, download.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { verdictCategories } from '../../core/verdict.js';
import { engineResult } from '../testing/fake-services.js';
import { admin, alice, assertOk, BASE, createTestApp, filePart, KiB, multipart, type TestApp } from '../testing/harness.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const sha1 = (b: Buffer | string) => createHash('sha1').update(b).digest('hex');
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('files: happy paths', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });
  beforeEach(() => {
    t.fake.state.submissions.length = 0;
  });

  const upload = (parts: Parameters<typeof multipart>[0], url = '/api/v3/files', headers: Record<string, string> = admin) => {
    const body = multipart(parts);
    return t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...headers } });
  };

  describe('POST /api/v3/files', () => {
    it('returns the analysis descriptor, exactly', async () => {
      const content = randomBytes(100 * KiB);
      const res = await upload([filePart(content, 'evil.exe')]);
      assertOk(res);
      const body = res.json() as Json;
      const id = body.data.id as string;
      assert.deepEqual(body, { data: { type: 'analysis', id, links: { self: `${BASE}/api/v3/analyses/${id}` } } });
      assert.equal(Buffer.from(id, 'base64').toString().split(':')[0], md5(content));
      assert.deepEqual(t.fake.state.submissions, [{ sha256: sha256(content), name: 'evil.exe', password: undefined, userId: 'u-admin' }]);
      assert.ok(t.fake.state.contents.get(sha256(content))!.equals(content));
      assert.deepEqual(await t.fake.blobs.staged(), []);
    });

    it('accepts the password before the file (vt-py order)', async () => {
      const res = await upload([{ name: 'password', content: 'infected' }, filePart('zip bytes 1')]);
      assertOk(res);
      assert.equal(t.fake.state.submissions[0]!.password, 'infected');
    });

    it('accepts the password after the file (vt-go order)', async () => {
      const res = await upload([filePart('zip bytes 2'), { name: 'password', content: 'infected' }]);
      assertOk(res);
      assert.equal(t.fake.state.submissions[0]!.password, 'infected');
      assert.equal(t.fake.state.submissions[0]!.sha256, sha256('zip bytes 2'));
    });

    it('accepts a "file" part without a filename, and ignores unknown fields', async () => {
      const res = await upload([{ name: 'comment', content: 'hello' }, { name: 'file', content: 'no filename here' }]);
      assertOk(res);
      assert.deepEqual(t.fake.state.submissions[0], { sha256: sha256('no filename here'), name: undefined, password: undefined, userId: 'u-admin' });
    });

    it('accepts a file of exactly maxUploadBytes', async () => {
      const content = randomBytes(t.config.maxUploadBytes);
      assertOk(await upload([filePart(content)]));
      assert.equal(t.fake.state.submissions[0]!.sha256, sha256(content));
    });

    it('accepts a chunked body with no Content-Length over a real socket (vt-go streams uploads)', async () => {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as AddressInfo;
      let seen: Record<string, unknown> = {};
      t.app.server.prependListener('request', (req) => (seen = req.headers));
      const content = randomBytes(200 * KiB + 3);
      const body = multipart([filePart(content, 'streamed.bin'), { name: 'password', content: 'pw' }]);
      const res = await new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/api/v3/files', headers: { ...body.headers, ...admin } }, (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (text += c));
          r.on('end', () => resolve({ status: r.statusCode!, headers: r.headers, text }));
        });
        req.on('error', reject);
        // Several writes and no Content-Length: Node sends Transfer-Encoding: chunked.
        for (let at = 0; at < body.payload.length; at += 7000) req.write(body.payload.subarray(at, at + 7000));
        req.end();
      });
      assert.equal(seen['transfer-encoding'], 'chunked');
      assert.equal(seen['content-length'], undefined);
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).data.type, 'analysis');
      assert.deepEqual(t.fake.state.submissions[0], { sha256: sha256(content), name: 'streamed.bin', password: 'pw', userId: 'u-admin' });
    });
  });

  describe('upload URL', () => {
    it('gives an absolute single-use URL that takes a file larger than POST /files allows, without x-apikey', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v3/files/upload_url', headers: alice });
      assertOk(res);
      const body = res.json() as Json;
      assert.deepEqual(Object.keys(body), ['data']);
      assert.equal(typeof body.data, 'string');
      assert.match(body.data, /^https:\/\/assay\.example\/api\/v3\/files\/upload\/[0-9a-f]{64}$/);

      const content = randomBytes(t.config.maxUploadBytes + 10 * KiB);
      const path = new URL(body.data).pathname;
      const first = await upload([filePart(content, 'big.bin')], path, {});
      assertOk(first);
      const id = (first.json() as Json).data.id;
      assert.deepEqual(first.json(), { data: { type: 'analysis', id, links: { self: `${BASE}/api/v3/analyses/${id}` } } });
      assert.deepEqual(t.fake.state.submissions[0], { sha256: sha256(content), name: 'big.bin', password: undefined, userId: 'u-alice' });
    });

    it('also accepts x-apikey on the upload (vt-py sends it)', async () => {
      const url = ((await t.app.inject({ method: 'GET', url: '/api/v3/files/upload_url', headers: admin })).json() as Json).data;
      assertOk(await upload([filePart('with key')], new URL(url).pathname, admin));
    });
  });

  describe('GET /api/v3/files/{id}', () => {
    const content = Buffer.from('a file with two analyses');
    let id: string;
    before(() => {
      const file = t.fake.seedFile(content, {
        name: 'report.pdf',
        attributes: {
          magic: 'PDF document, version 1.7',
          type_tag: 'pdf',
          creation_date: 1600000000,
          first_seen_itw_date: null, // must be left out, never null
          id: 'x', // reserved by vt-py
          type: 'x',
          error: 'x',
          relationships: {},
          context_attributes: {},
          size: 1, // core fields win over analyzer attributes
        },
        analyses: [
          [engineResult('ClamAV', 'undetected'), engineResult('YARA', 'undetected')],
          [engineResult('ClamAV', 'malicious', 'Eicar-Test-Signature'), engineResult('YARA', 'type-unsupported')],
        ],
      });
      file.names.push('second-name.pdf');
      file.timesSubmitted = 3;
      id = file.sha256;
    });

    it('returns the VT file object with every required attribute and nothing reserved', async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}`, headers: alice });
      assertOk(res);
      const body = res.json() as Json;
      assert.deepEqual(Object.keys(body), ['data']);
      assert.deepEqual(Object.keys(body.data).sort(), ['attributes', 'id', 'links', 'type']);
      assert.equal(body.data.type, 'file');
      assert.equal(body.data.id, id);
      assert.deepEqual(body.data.links, { self: `${BASE}/api/v3/files/${id}` });
      const a = body.data.attributes;
      const file = t.fake.state.files.get(id)!;
      assert.deepEqual(a, {
        magic: 'PDF document, version 1.7',
        type_tag: 'pdf',
        creation_date: 1600000000,
        md5: md5(content),
        sha1: sha1(content),
        sha256: id,
        size: content.length,
        names: ['report.pdf', 'second-name.pdf'],
        meaningful_name: 'report.pdf',
        times_submitted: 3,
        first_submission_date: 1_700_000_000,
        last_submission_date: 1_700_000_000,
        last_analysis_date: file.lastAnalysisDate,
        last_analysis_results: {
          ClamAV: { engine_name: 'ClamAV', category: 'malicious', result: 'Eicar-Test-Signature', method: 'blacklist', engine_version: '1.0', engine_update: '20240101' },
          YARA: { engine_name: 'YARA', category: 'type-unsupported', result: null, method: 'blacklist', engine_version: '1.0', engine_update: '20240101' },
        },
        last_analysis_stats: {
          harmless: 0,
          malicious: 1,
          suspicious: 0,
          undetected: 0,
          timeout: 0,
          'confirmed-timeout': 0,
          failure: 0,
          'type-unsupported': 1,
        },
        reputation: 0,
        total_votes: { harmless: 0, malicious: 0 },
        tags: [],
        unique_sources: 1,
      });
      for (const [key, value] of Object.entries(a)) if (key.endsWith('_date')) assert.ok(Number.isInteger(value), `${key} is an integer`);
      assert.deepEqual(Object.keys(a.last_analysis_stats).sort(), [...verdictCategories].sort());
    });

    it('accepts md5 and sha1, in any case, and answers with the sha256 id', async () => {
      for (const hash of [md5(content), sha1(content).toUpperCase()]) {
        const res = await t.app.inject({ method: 'GET', url: `/api/v3/files/${hash}`, headers: alice });
        assertOk(res);
        assert.equal((res.json() as Json).data.id, id);
      }
    });

    it('leaves last_analysis_date out, and gives 8 zero stats, for a file never analysed', async () => {
      const file = t.fake.seedFile(Buffer.from('never analysed'));
      const res = await t.app.inject({ method: 'GET', url: `/api/v3/files/${file.sha256}`, headers: alice });
      const a = (res.json() as Json).data.attributes;
      assert.equal('last_analysis_date' in a, false);
      assert.equal('meaningful_name' in a, false);
      assert.equal('last_analysis_id' in a, false);
      assert.deepEqual(a.last_analysis_results, {});
      assert.deepEqual(a.last_analysis_stats, Object.fromEntries(verdictCategories.map((c) => [c, 0])));
    });

    it('inlines ?relationships=analyses as descriptors with links', async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}?relationships=analyses`, headers: alice });
      assertOk(res);
      const rel = (res.json() as Json).data.relationships;
      const ids = [...t.fake.state.analyses.values()].filter((x) => x.itemId === id).sort((x, y) => y.date - x.date).map((x) => x.id);
      assert.deepEqual(rel, {
        analyses: {
          data: ids.map((x) => ({ type: 'analysis', id: x })),
          links: { self: `${BASE}/api/v3/files/${id}/relationships/analyses`, related: `${BASE}/api/v3/files/${id}/analyses` },
        },
      });
    });
  });

  describe('analyses of a file, paginated', () => {
    let id: string;
    before(() => {
      id = t.fake.seedFile(Buffer.from('25 analyses'), { analyses: Array.from({ length: 25 }, () => [engineResult('ClamAV', 'undetected')]) }).sha256;
    });

    it('pages with meta.cursor and an absolute links.next keeping every query parameter, none on the last page', async () => {
      const seen: string[] = [];
      let url: string | undefined = `/api/v3/files/${id}/analyses?limit=10&filter=kept`;
      const sizes: number[] = [];
      while (url) {
        const res = await t.app.inject({ method: 'GET', url, headers: alice });
        assertOk(res);
        const body = res.json() as Json;
        assert.equal(body.links.self, `${BASE}${url}`);
        sizes.push(body.data.length);
        for (const a of body.data) {
          assert.equal(a.type, 'analysis');
          assert.equal(a.links.self, `${BASE}/api/v3/analyses/${a.id}`);
          assert.deepEqual(Object.keys(a.attributes).sort(), ['date', 'results', 'stats', 'status']);
          seen.push(a.id);
        }
        if (body.links.next) {
          assert.ok(body.data.length > 0, 'never a cursor with an empty page');
          const next = new URL(body.links.next);
          assert.equal(next.origin, BASE);
          assert.equal(next.pathname, `/api/v3/files/${id}/analyses`);
          assert.equal(next.searchParams.get('cursor'), body.meta.cursor);
          assert.equal(next.searchParams.get('limit'), '10');
          assert.equal(next.searchParams.get('filter'), 'kept');
          url = next.pathname + next.search;
        } else {
          assert.deepEqual(body.meta, {});
          assert.deepEqual(Object.keys(body.links), ['self']);
          url = undefined;
        }
      }
      assert.deepEqual(sizes, [10, 10, 5]);
      assert.equal(new Set(seen).size, 25);
    });

    it('follows meta.cursor the way vt-py does (cursor and limit as query params)', async () => {
      const first = (await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}/relationships/analyses?limit=20`, headers: alice })).json() as Json;
      assert.equal(first.data.length, 20);
      assert.deepEqual(first.data[0], { type: 'analysis', id: first.data[0].id });
      const second = (await t.app.inject({
        method: 'GET',
        url: `/api/v3/files/${id}/relationships/analyses?cursor=${encodeURIComponent(first.meta.cursor)}&limit=20`,
        headers: alice,
      })).json() as Json;
      assert.equal(second.data.length, 5);
      assert.equal(second.meta.cursor, undefined);
      assert.equal(second.links.next, undefined);
    });

    it('defaults to 10 and caps the page size at 40', async () => {
      const seed = t.fake.seedFile(Buffer.from('45 analyses'), { analyses: Array.from({ length: 45 }, () => []) });
      const byDefault = (await t.app.inject({ method: 'GET', url: `/api/v3/files/${seed.sha256}/analyses`, headers: alice })).json() as Json;
      assert.equal(byDefault.data.length, 10);
      assert.equal(new URL(byDefault.links.next).searchParams.get('limit'), '10');
      const capped = (await t.app.inject({ method: 'GET', url: `/api/v3/files/${seed.sha256}/analyses?limit=1000`, headers: alice })).json() as Json;
      assert.equal(capped.data.length, 40);
      assert.equal(new URL(capped.links.next).searchParams.get('limit'), '40');
    });

    it('inlines a cursor and next link when there are more than ten', async () => {
      const rel = ((await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}?relationships=analyses`, headers: alice })).json() as Json).data
        .relationships.analyses;
      assert.equal(rel.data.length, 10);
      assert.equal(typeof rel.meta.cursor, 'string');
      const next = new URL(rel.links.next);
      assert.equal(next.pathname, `/api/v3/files/${id}/relationships/analyses`);
      assert.equal(next.searchParams.get('cursor'), rel.meta.cursor);
    });
  });

  describe('rescan and download', () => {
    const content = Buffer.from('rescan me');
    let id: string;
    before(() => {
      id = t.fake.seedFile(content).sha256;
    });

    it('POST /files/{id}/analyse returns a new analysis descriptor', async () => {
      const res = await t.app.inject({ method: 'POST', url: `/api/v3/files/${md5(content)}/analyse`, headers: alice });
      assertOk(res);
      const body = res.json() as Json;
      assert.deepEqual(body, { data: { type: 'analysis', id: body.data.id, links: { self: `${BASE}/api/v3/analyses/${body.data.id}` } } });
      assert.equal(t.fake.state.analyses.get(body.data.id)!.itemId, id);
    });

    it('accepts vt-go\'s empty body with Content-Type: application/json', async () => {
      const res = await t.app.inject({ method: 'POST', url: `/api/v3/files/${id}/analyse`, headers: { ...alice, 'content-type': 'application/json' }, payload: '' });
      assertOk(res);
    });

    it('GET /files/{id}/download streams the bytes to an admin', async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}/download`, headers: admin });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/octet-stream');
      assert.equal(res.headers['content-disposition'], `attachment; filename="${id}"`);
      assert.equal(res.headers['content-length'], String(content.length));
      assert.ok(res.rawPayload.equals(content));
    });
  });
});
