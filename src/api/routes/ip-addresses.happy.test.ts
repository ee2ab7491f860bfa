// IP address endpoints, successful paths: the report (IPv6 normalised), a refresh and relationships to URLs and resolutions.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verdictCategories } from '../../core/verdict.js';
import { alice, assertOk, BASE, createTestApp, followPages, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const zeroStats = Object.fromEntries(verdictCategories.map((c) => [c, 0]));

describe('ip_addresses: happy paths', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    t.fake.seedNetworkObject('ip_address', '2001:db8::7', { asn: 64500, as_owner: 'Example Net', country: 'NL', network: '2001:db8::/32', whois_date: 1_690_000_000 });
    t.fake.state.network.votes.set('ip_address:2001:db8::7', { harmless: 3, malicious: 0, reputation: 3 });
  });
  after(async () => {
    await t.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: alice });

  it('GET /ip_addresses/{ip}: the address in canonical form, intel attributes, votes, no popularity ranks', async () => {
    for (const path of ['2001:db8::7', '2001:DB8:0:0:0:0:0:7', encodeURIComponent('2001:db8::7')]) {
      const res = await get(`/api/v3/ip_addresses/${path}`);
      assertOk(res);
      const data = (res.json() as Json).data;
      assert.equal(data.type, 'ip_address');
      assert.equal(data.id, '2001:db8::7', path);
      assert.equal(data.links.self, `${BASE}/api/v3/ip_addresses/2001:db8::7`);
      const a = data.attributes;
      assert.deepEqual([a.asn, a.as_owner, a.country, a.network, a.whois_date], [64500, 'Example Net', 'NL', '2001:db8::/32', 1_690_000_000]);
      assert.deepEqual(a.last_analysis_stats, zeroStats);
      assert.deepEqual(a.total_votes, { harmless: 3, malicious: 0 });
      assert.equal(a.reputation, 3);
      assert.equal('popularity_ranks' in a, false);
    }
  });

  it('POST /ip_addresses/{ip}/analyse refreshes and returns the object', async () => {
    t.fake.state.network.refreshed.length = 0;
    const res = await t.app.inject({ method: 'POST', url: '/api/v3/ip_addresses/198.51.100.20/analyse', headers: alice });
    assertOk(res);
    assert.deepEqual([(res.json() as Json).data.type, (res.json() as Json).data.id], ['ip_address', '198.51.100.20']);
    assert.deepEqual(t.fake.state.network.refreshed, ['ip_address:198.51.100.20']);
  });

  it('urls: URL objects, a stored one in full and one never stored with minimal attributes', async () => {
    const stored = t.fake.seedUrl('http://198.51.100.20/payload.exe');
    const unseen = 'd'.repeat(64);
    t.fake.seedRelated('ip_address', '198.51.100.20', 'urls', [
      { type: 'url', id: stored.id, url: stored, votes: { harmless: 0, malicious: 0, reputation: 0 } },
      { type: 'url', id: unseen, url: undefined, votes: { harmless: 0, malicious: 1, reputation: -1 } },
    ]);
    const urls = (await followPages(t.app, '/api/v3/ip_addresses/198.51.100.20/urls', alice)) as Json[];
    assert.deepEqual(urls.map((u) => [u.type, u.id, u.links.self]), [
      ['url', stored.id, `${BASE}/api/v3/urls/${stored.id}`],
      ['url', unseen, `${BASE}/api/v3/urls/${unseen}`],
    ]);
    assert.equal(urls[0].attributes.url, 'http://198.51.100.20/payload.exe');
    assert.deepEqual(urls[1].attributes, { last_analysis_results: {}, last_analysis_stats: zeroStats, reputation: -1, total_votes: { harmless: 0, malicious: 1 }, tags: [] });
    const inline = (await get('/api/v3/ip_addresses/198.51.100.20?relationships=urls')).json() as Json;
    assert.deepEqual(inline.data.relationships.urls.data, [
      { type: 'url', id: stored.id },
      { type: 'url', id: unseen },
    ]);
  });
});
