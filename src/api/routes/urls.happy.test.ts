// URL endpoints, successful paths: submitting in both form encodings, the report by either id form, rescans, analyses, screenshot and relationships.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RelatedObject } from '../../app/graph/graph-service.js';
import { verdictCategories } from '../../core/verdict.js';
import type { UrlObject } from '../../core/model/url.js';
import { createCommunityTestApp, type CommunityTestApp } from '../testing/community-app.js';
import { engineResult } from '../testing/fake-services.js';
import { admin, alice, assertOk, BASE, createTestApp, followPages, multipart, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const b64url = (text: string) => Buffer.from(text).toString('base64url');
const zeroStats = Object.fromEntries(verdictCategories.map((c) => [c, 0]));
const noVotes = { harmless: 0, malicious: 0, reputation: 0 };
const domain = (id: string): RelatedObject => ({ type: 'domain', id, object: undefined, votes: noVotes });

describe('urls: happy paths', () => {
  let t: TestApp;
  let seeded: UrlObject;
  const seededUrl = 'https://Phish.Example/login?next=%2Fhome';
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  before(async () => {
    t = await createTestApp();
    seeded = t.fake.seedUrl(seededUrl, {
      analyses: [[engineResult('URLhaus', 'malicious', 'phishing'), engineResult('Heuristics', 'harmless')]],
      attributes: {
        last_final_url: 'https://phish.example/welcome',
        title: 'Sign in',
        last_http_response_code: 200,
        redirection_chain: [seededUrl, 'https://phish.example/welcome'],
        tld: 'example',
        // Stored attributes never replace the core fields, and bad dates are left out for vt-py.
        url: 'overridden?',
        broken_date: 'yesterday',
      },
      screenshot: png,
    });
    t.fake.state.network.votes.set(`url:${seeded.id}`, { harmless: 1, malicious: 3, reputation: -2 });
  });
  after(async () => {
    await t.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: alice });

  it('POST /urls form-encoded (vt-py) returns the analysis descriptor; the analysis carries url_info', async () => {
    const url = 'http://fresh.example/path';
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v3/urls',
      payload: new URLSearchParams({ url }).toString(),
      headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assertOk(res);
    const body = res.json() as Json;
    assert.deepEqual(Object.keys(body.data).sort(), ['id', 'links', 'type']);
    assert.equal(body.data.type, 'analysis');
    assert.match(body.data.id, new RegExp(`^u-${sha256(url)}-\\d+`));
    assert.equal(body.data.links.self, `${BASE}/api/v3/analyses/${body.data.id}`);

    const analysis = await get(new URL(body.data.links.self).pathname);
    assertOk(analysis);
    const got = analysis.json() as Json;
    assert.deepEqual(got.meta, { url_info: { id: sha256(url), url } });
    assert.equal(got.data.attributes.status, 'queued');
    assert.deepEqual(got.data.attributes.stats, zeroStats);
  });

  it('POST /urls as multipart/form-data (vt-go, vt-cli) reaches the same URL object', async () => {
    const url = 'http://multi.example/';
    const first = multipart([{ name: 'url', content: url }]);
    const second = new URLSearchParams({ url: 'HTTP://MULTI.example:80' }).toString();
    assertOk(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: first.payload, headers: { ...admin, ...first.headers } }));
    assertOk(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: second, headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' } }));
    const report = await get(`/api/v3/urls/${sha256(url)}`);
    assertOk(report);
    const attributes = (report.json() as Json).data.attributes;
    assert.equal(attributes.url, url, 'the URL as first submitted');
    assert.equal(attributes.times_submitted, 2);
  });

  it('GET /urls/{sha256} is the url object: id, absolute link, stored and core attributes', async () => {
    const res = await get(`/api/v3/urls/${seeded.id}`);
    assertOk(res);
    const data = (res.json() as Json).data;
    assert.equal(data.type, 'url');
    assert.equal(data.id, seeded.id);
    assert.equal(data.links.self, `${BASE}/api/v3/urls/${seeded.id}`);
    const a = data.attributes;
    assert.equal(a.url, seededUrl);
    assert.equal(a.last_final_url, 'https://phish.example/welcome');
    assert.equal(a.title, 'Sign in');
    assert.equal(a.tld, 'example');
    assert.deepEqual(a.redirection_chain, [seededUrl, 'https://phish.example/welcome']);
    assert.deepEqual(a.outgoing_links, [], 'lists clients iterate are present even when empty');
    assert.deepEqual(a.categories, {});
    assert.deepEqual(a.threat_names, []);
    assert.deepEqual(a.last_analysis_stats, { ...zeroStats, malicious: 1, harmless: 1 });
    assert.deepEqual(Object.keys(a.last_analysis_results).sort(), ['Heuristics', 'URLhaus']);
    assert.equal(a.last_analysis_results.URLhaus.result, 'phishing');
    assert.deepEqual(a.total_votes, { harmless: 1, malicious: 3 });
    assert.equal(a.reputation, -2);
    assert.equal(a.times_submitted, 1);
    assert.deepEqual(a.tags, []);
    for (const key of ['first_submission_date', 'last_submission_date', 'last_analysis_date', 'last_modification_date']) {
      assert.ok(Number.isInteger(a[key]), `${key} is an integer`);
    }
    assert.equal('broken_date' in a, false);
  });

  it('GET /urls/{base64url of the URL as typed} finds the same object, as vt-py and vt-cli address it', async () => {
    for (const form of [b64url(seededUrl), `${b64url(seededUrl)}==`, b64url('https://phish.example/login?next=%2Fhome#frag')]) {
      const res = await get(`/api/v3/urls/${form}`);
      assertOk(res);
      assert.equal((res.json() as Json).data.id, seeded.id, form);
      assert.equal((res.json() as Json).data.links.self, `${BASE}/api/v3/urls/${seeded.id}`);
    }
  });

  it('a URL whose fetch was refused shows last_fetch_error and no page facts', async () => {
    const refused = t.fake.seedUrl('http://10.0.0.1/admin', {
      analyses: [[engineResult('Heuristics', 'suspicious', 'private address')]],
      attributes: { last_fetch_error: { reason: 'address-not-allowed', message: '10.0.0.1 is a private address' }, categories: { Heuristics: 'suspicious' } },
    });
    const a = ((await get(`/api/v3/urls/${refused.id}`)).json() as Json).data.attributes;
    assert.deepEqual(a.last_fetch_error, { reason: 'address-not-allowed', message: '10.0.0.1 is a private address' });
    assert.deepEqual(a.categories, { Heuristics: 'suspicious' });
    assert.equal('title' in a, false);
  });

  it('POST /urls/{id}/analyse queues another analysis; /analyses pages through all of them to the end', async () => {
    const url = t.fake.seedUrl('https://rescanned.example/', { analyses: [[engineResult('URLhaus', 'harmless')]] });
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const res = await t.app.inject({ method: 'POST', url: `/api/v3/urls/${b64url('https://rescanned.example/')}/analyse`, headers: alice });
      assertOk(res);
      const data = (res.json() as Json).data;
      assert.equal(data.type, 'analysis');
      assert.equal(data.links.self, `${BASE}/api/v3/analyses/${data.id}`);
      ids.push(data.id);
    }
    const all = (await followPages(t.app, `/api/v3/urls/${url.id}/analyses?limit=5`, alice)) as Json[];
    assert.equal(all.length, 13);
    assert.deepEqual(all.slice(0, 12).map((a) => a.id), [...ids].reverse(), 'newest first');
    assert.ok(all.every((a) => a.type === 'analysis' && Number.isInteger(a.attributes.date) && 'status' in a.attributes));
    const descriptors = (await followPages(t.app, `/api/v3/urls/${url.id}/relationships/analyses?limit=7`, alice)) as Json[];
    assert.deepEqual(descriptors, all.map((a) => ({ type: 'analysis', id: a.id })));
  });

  it('GET /urls/{id}/screenshot is the PNG', async () => {
    const res = await get(`/api/v3/urls/${b64url(seededUrl)}/screenshot`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(Number(res.headers['content-length']), png.length);
    assert.deepEqual(res.rawPayload, png);
  });

  describe('relationships', () => {
    let file: Json;
    before(() => {
      file = t.fake.seedFile(Buffer.from('served body'), { name: 'body.html' });
      const domains = Array.from({ length: 13 }, (_, i) => domain(`cdn${String(i).padStart(2, '0')}.example`));
      domains[0] = { type: 'domain', id: 'cdn00.example', object: { type: 'domain', id: 'cdn00.example', attributes: { registrar: 'Example Registrar' }, tags: [], firstSeenDate: 5, lastModificationDate: 6 }, votes: noVotes };
      t.fake.seedRelated('url', seeded.id, 'contacted_domains', domains);
      t.fake.seedRelated('url', seeded.id, 'network_location', [domain('phish.example')]);
      t.fake.seedRelated('url', seeded.id, 'downloaded_files', [{ type: 'file', id: file.sha256, file }]);
    });

    it('/{rel} gives full objects, /relationships/{rel} descriptors, both paged to the end', async () => {
      const objects = (await followPages(t.app, `/api/v3/urls/${seeded.id}/contacted_domains?limit=4`, alice)) as Json[];
      assert.equal(objects.length, 13);
      assert.deepEqual(objects[0], {
        type: 'domain',
        id: 'cdn00.example',
        links: { self: `${BASE}/api/v3/domains/cdn00.example` },
        attributes: {
          registrar: 'Example Registrar',
          last_analysis_results: {},
          last_analysis_stats: zeroStats,
          reputation: 0,
          total_votes: { harmless: 0, malicious: 0 },
          tags: [],
          first_seen_date: 5,
          last_modification_date: 6,
        },
      });
      // Not stored yet: the id, votes and empty stats, nothing invented.
      assert.deepEqual(objects[1].attributes, { last_analysis_results: {}, last_analysis_stats: zeroStats, reputation: 0, total_votes: { harmless: 0, malicious: 0 }, tags: [] });
      const descriptors = await followPages(t.app, `/api/v3/urls/${b64url(seededUrl)}/relationships/contacted_domains`, alice);
      assert.deepEqual(descriptors, objects.map((o) => ({ type: 'domain', id: o.id })));

      const files = (await followPages(t.app, `/api/v3/urls/${seeded.id}/downloaded_files`, alice)) as Json[];
      assert.deepEqual(files.map((f) => [f.type, f.id, f.links.self]), [['file', file.sha256, `${BASE}/api/v3/files/${file.sha256}`]]);
    });

    it('one-to-one relationships give one object or descriptor, or null', async () => {
      const object = await get(`/api/v3/urls/${seeded.id}/network_location`);
      assertOk(object);
      const data = (object.json() as Json).data;
      assert.deepEqual([data.type, data.id, data.links.self], ['domain', 'phish.example', `${BASE}/api/v3/domains/phish.example`]);
      const descriptor = await get(`/api/v3/urls/${seeded.id}/relationships/network_location`);
      assertOk(descriptor);
      assert.deepEqual(descriptor.json(), {
        data: { type: 'domain', id: 'phish.example' },
        links: { self: `${BASE}/api/v3/urls/${seeded.id}/relationships/network_location`, related: `${BASE}/api/v3/urls/${seeded.id}/network_location` },
      });
      assert.deepEqual((await get(`/api/v3/urls/${seeded.id}/last_serving_ip_address`)).json(), { data: null });
      assert.equal(((await get(`/api/v3/urls/${seeded.id}/relationships/last_serving_ip_address`)).json() as Json).data, null);
    });

    it('?relationships= inlines descriptors: lists with cursor and next when there is more, one-to-one as one', async () => {
      const res = await get(`/api/v3/urls/${b64url(seededUrl)}?relationships=contacted_domains,network_location,last_serving_ip_address,analyses`);
      assertOk(res);
      const rel = (res.json() as Json).data.relationships;
      const self = `${BASE}/api/v3/urls/${seeded.id}`;
      assert.deepEqual(Object.keys(rel), ['contacted_domains', 'network_location', 'last_serving_ip_address', 'analyses']);
      assert.equal(rel.contacted_domains.data.length, 10);
      assert.equal(typeof rel.contacted_domains.meta.cursor, 'string');
      assert.equal(rel.contacted_domains.links.self, `${self}/relationships/contacted_domains`);
      assert.equal(rel.contacted_domains.links.related, `${self}/contacted_domains`);
      const next = new URL(rel.contacted_domains.links.next);
      assert.equal(next.searchParams.get('cursor'), rel.contacted_domains.meta.cursor);
      const rest = await get(`${next.pathname}${next.search}`);
      assert.deepEqual(((rest.json() as Json).data as Json[]).map((d) => d.id), ['cdn10.example', 'cdn11.example', 'cdn12.example']);
      assert.deepEqual(rel.network_location, {
        data: { type: 'domain', id: 'phish.example' },
        links: { self: `${self}/relationships/network_location`, related: `${self}/network_location` },
      });
      assert.equal(rel.last_serving_ip_address.data, null);
      assert.deepEqual(rel.analyses.data, [{ type: 'analysis', id: seeded.lastAnalysisId }]);
      assert.equal(rel.analyses.meta, undefined, 'no cursor when everything fits');
    });
  });
});

describe('urls: comments and votes still have their own routes', () => {
  let t: CommunityTestApp;
  before(async () => {
    t = await createCommunityTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('/urls/{id}/comments and /votes are served by the community routes, not refused as relationships', async () => {
    const url = t.fake.seedUrl('https://discussed.example/');
    const json = { 'content-type': 'application/json', ...alice };
    const posted = await t.app.inject({ method: 'POST', url: `/api/v3/urls/${url.id}/comments`, payload: '{"data":{"type":"comment","attributes":{"text":"#phishing kit"}}}', headers: json });
    assertOk(posted);
    const comments = await t.app.inject({ method: 'GET', url: `/api/v3/urls/${b64url('https://discussed.example/')}/comments`, headers: alice });
    assertOk(comments);
    assert.deepEqual(((comments.json() as Json).data as Json[]).map((c) => [c.type, c.attributes.text]), [['comment', '#phishing kit']]);
    const votes = await t.app.inject({ method: 'GET', url: `/api/v3/urls/${url.id}/votes`, headers: alice });
    assertOk(votes);
    assert.deepEqual((votes.json() as Json).data, []);
  });
});
