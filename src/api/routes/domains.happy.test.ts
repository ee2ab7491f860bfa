// Domain endpoints, successful paths: the report (unicode names included), a refresh, and every kind of relationship.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RelatedObject } from '../../app/graph/graph-service.js';
import { verdictCategories } from '../../core/verdict.js';
import type { HistoryEntry } from '../../core/model/network-object.js';
import { engineResult } from '../testing/fake-services.js';
import { alice, assertOk, BASE, createTestApp, followPages, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const zeroStats = Object.fromEntries(verdictCategories.map((c) => [c, 0]));
const noVotes = { harmless: 0, malicious: 0, reputation: 0 };

describe('domains: happy paths', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    t.fake.seedNetworkObject('domain', 'shop.example.co.uk', {
      registrar: 'Example Registrar',
      creation_date: 1_500_000_000,
      // RDAP text that did not parse: left out rather than breaking vt-py's date conversion.
      expiration_date: '2030-01-01T00:00:00Z',
      last_dns_records: [{ type: 'A', value: '192.0.2.10', ttl: 300 }],
      last_analysis_results: { URLhaus: engineResult('URLhaus', 'malicious', 'malware') },
      last_analysis_stats: { malicious: 1 },
      last_analysis_date: 1_700_000_100,
      tld: 'co.uk',
    });
    t.fake.state.network.popularity.set('shop.example.co.uk', { Tranco: { rank: 1234, timestamp: 1_699_000_000 } });
    t.fake.state.network.votes.set('domain:shop.example.co.uk', { harmless: 0, malicious: 2, reputation: -2 });
  });
  after(async () => {
    await t.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: alice });

  it('GET /domains/{domain}: stored attributes, votes, popularity and integer dates', async () => {
    const res = await get('/api/v3/domains/shop.example.co.uk');
    assertOk(res);
    const data = (res.json() as Json).data;
    assert.equal(data.type, 'domain');
    assert.equal(data.id, 'shop.example.co.uk');
    assert.equal(data.links.self, `${BASE}/api/v3/domains/shop.example.co.uk`);
    const a = data.attributes;
    assert.equal(a.registrar, 'Example Registrar');
    assert.equal(a.creation_date, 1_500_000_000);
    assert.equal('expiration_date' in a, false);
    assert.deepEqual(a.last_dns_records, [{ type: 'A', value: '192.0.2.10', ttl: 300 }]);
    assert.deepEqual(a.last_analysis_stats, { ...zeroStats, malicious: 1 }, 'all eight keys');
    assert.equal(a.last_analysis_results.URLhaus.result, 'malware');
    assert.deepEqual(a.popularity_ranks, { Tranco: { rank: 1234, timestamp: 1_699_000_000 } });
    assert.equal(a.reputation, -2);
    assert.deepEqual(a.total_votes, { harmless: 0, malicious: 2 });
    assert.deepEqual(a.tags, []);
    for (const key of ['first_seen_date', 'last_modification_date', 'last_analysis_date']) assert.ok(Number.isInteger(a[key]), key);
  });

  it('a unicode name in the path is looked up in punycode, and case and a trailing dot do not matter', async () => {
    for (const path of [encodeURIComponent('bücher.example'), 'xn--bcher-kva.example', 'XN--BCHER-KVA.Example.']) {
      const res = await get(`/api/v3/domains/${path}`);
      assertOk(res);
      const data = (res.json() as Json).data;
      assert.equal(data.id, 'xn--bcher-kva.example', path);
      assert.equal(data.links.self, `${BASE}/api/v3/domains/xn--bcher-kva.example`);
    }
  });

  it('a valid name never seen before is an object right away, with empty stats', async () => {
    const res = await get('/api/v3/domains/first-time.example');
    assertOk(res);
    const a = (res.json() as Json).data.attributes;
    assert.deepEqual(a.last_analysis_stats, zeroStats);
    assert.deepEqual(a.last_analysis_results, {});
    assert.deepEqual(a.popularity_ranks, {});
  });

  it('POST /domains/{domain}/analyse refreshes at once and returns the object, not an analysis', async () => {
    t.fake.state.network.refreshed.length = 0;
    const res = await t.app.inject({ method: 'POST', url: `/api/v3/domains/${encodeURIComponent('bücher.example')}/analyse`, headers: alice });
    assertOk(res);
    const data = (res.json() as Json).data;
    assert.deepEqual([data.type, data.id], ['domain', 'xn--bcher-kva.example']);
    assert.deepEqual(t.fake.state.network.refreshed, ['domain:xn--bcher-kva.example']);
  });

  describe('relationships', () => {
    const subdomains: RelatedObject[] = Array.from({ length: 23 }, (_, i) => ({ type: 'domain', id: `s${i}.shop.example.co.uk`, object: undefined, votes: noVotes }));
    const history = (kind: 'whois' | 'ssl_cert', id: string, content: Record<string, unknown>): HistoryEntry => ({
      id,
      kind,
      itemType: 'domain',
      itemId: 'shop.example.co.uk',
      content,
      firstSeen: 1_600_000_000,
      lastSeen: 1_700_000_000,
    });
    before(() => {
      t.fake.seedRelated('domain', 'shop.example.co.uk', 'subdomains', subdomains);
      t.fake.seedRelated('domain', 'shop.example.co.uk', 'parent', [{ type: 'domain', id: 'example.co.uk', object: undefined, votes: noVotes }]);
      t.fake.seedRelated('domain', 'shop.example.co.uk', 'resolutions', [
        {
          type: 'resolution',
          id: '192.0.2.10shop.example.co.uk',
          resolution: { id: '192.0.2.10shop.example.co.uk', ipAddress: '192.0.2.10', hostName: 'shop.example.co.uk', resolver: 'dns', firstSeen: 1_600_000_000, lastSeen: 1_700_000_000 },
        },
      ]);
      t.fake.seedRelated('domain', 'shop.example.co.uk', 'historical_whois', [
        { type: 'whois', id: 'w1', history: history('whois', 'w1', { whois: 'Domain Name: example.co.uk', registrar: 'Example Registrar', creation_date: 1_500_000_000 }) },
      ]);
      t.fake.seedRelated('domain', 'shop.example.co.uk', 'historical_ssl_certificates', [
        { type: 'ssl_cert', id: 'c1', history: history('ssl_cert', 'c1', { subject: { CN: 'shop.example.co.uk' }, validity: { not_before: '2024-01-01 00:00:00', not_after: '2025-01-01 00:00:00' } }) },
      ]);
    });

    it('subdomains page to the end in both forms, vt-go style', async () => {
      const objects = (await followPages(t.app, '/api/v3/domains/shop.example.co.uk/subdomains?limit=10', alice)) as Json[];
      assert.deepEqual(objects.map((o) => o.id), subdomains.map((s) => s.id));
      assert.ok(objects.every((o) => o.type === 'domain' && o.links.self === `${BASE}/api/v3/domains/${o.id}`));
      const descriptors = await followPages(t.app, '/api/v3/domains/shop.example.co.uk/relationships/subdomains?limit=40', alice);
      assert.deepEqual(descriptors, subdomains.map((s) => ({ type: 'domain', id: s.id })));
    });

    it('parent and immediate_parent are one-to-one: an object, or null where there is none', async () => {
      const parent = (await get('/api/v3/domains/shop.example.co.uk/parent')).json() as Json;
      assert.deepEqual([parent.data.type, parent.data.id], ['domain', 'example.co.uk']);
      assert.deepEqual(((await get('/api/v3/domains/shop.example.co.uk/relationships/parent')).json() as Json).data, { type: 'domain', id: 'example.co.uk' });
      assert.deepEqual((await get('/api/v3/domains/shop.example.co.uk/immediate_parent')).json(), { data: null });
    });

    it('resolutions are resolution objects: the last date seen, host, address and resolver', async () => {
      const [resolution] = (await followPages(t.app, '/api/v3/domains/shop.example.co.uk/resolutions', alice)) as Json[];
      assert.deepEqual(resolution, {
        type: 'resolution',
        id: '192.0.2.10shop.example.co.uk',
        links: { self: `${BASE}/api/v3/resolutions/192.0.2.10shop.example.co.uk` },
        attributes: { date: 1_700_000_000, host_name: 'shop.example.co.uk', ip_address: '192.0.2.10', resolver: 'dns' },
      });
    });

    it('historical_whois and historical_ssl_certificates give whois and ssl_cert objects', async () => {
      const [whois] = (await followPages(t.app, '/api/v3/domains/shop.example.co.uk/historical_whois', alice)) as Json[];
      assert.deepEqual(whois, {
        type: 'whois',
        id: 'w1',
        links: { self: `${BASE}/api/v3/domains/shop.example.co.uk/historical_whois` },
        attributes: { whois: 'Domain Name: example.co.uk', registrar: 'Example Registrar', creation_date: 1_500_000_000, first_seen_date: 1_600_000_000, last_updated: 1_700_000_000 },
      });
      const [cert] = (await followPages(t.app, '/api/v3/domains/shop.example.co.uk/historical_ssl_certificates', alice)) as Json[];
      assert.deepEqual(cert, {
        type: 'ssl_cert',
        id: 'c1',
        links: { self: `${BASE}/api/v3/domains/shop.example.co.uk/historical_ssl_certificates` },
        attributes: { subject: { CN: 'shop.example.co.uk' }, validity: { not_before: '2024-01-01 00:00:00', not_after: '2025-01-01 00:00:00' } },
      });
    });

    it('?relationships= inlines them on the domain object', async () => {
      const res = await get('/api/v3/domains/shop.example.co.uk?relationships=parent,subdomains,resolutions,urls');
      assertOk(res);
      const rel = (res.json() as Json).data.relationships;
      const self = `${BASE}/api/v3/domains/shop.example.co.uk`;
      assert.deepEqual(rel.parent, { data: { type: 'domain', id: 'example.co.uk' }, links: { self: `${self}/relationships/parent`, related: `${self}/parent` } });
      assert.equal(rel.subdomains.data.length, 10);
      assert.ok(rel.subdomains.meta.cursor);
      assert.ok(rel.subdomains.links.next.startsWith(`${self}/relationships/subdomains?cursor=`));
      assert.deepEqual(rel.resolutions.data, [{ type: 'resolution', id: '192.0.2.10shop.example.co.uk' }]);
      // An empty relationship says so: VT's meta.count 0.
      assert.deepEqual(rel.urls, { data: [], meta: { count: 0 }, links: { self: `${self}/relationships/urls`, related: `${self}/urls` } });
    });
  });
});
