// URL, domain, IP address and resolution endpoints, authentication and quota: every route needs a key and is counted once under its group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admin, alice, assertError, createTestApp, multipart, type TestApp } from '../testing/harness.js';

describe('urls, domains, ip_addresses and resolutions: authentication', () => {
  let t: TestApp;
  let urlId: string;
  before(async () => {
    t = await createTestApp();
    urlId = t.fake.seedUrl('https://counted.example/', { analyses: [[]], screenshot: Buffer.from('png') }).id;
    const resolution = { id: '192.0.2.1counted.example', ipAddress: '192.0.2.1', hostName: 'counted.example', resolver: 'dns', firstSeen: 1, lastSeen: 2 };
    t.fake.state.network.resolutions.set(resolution.id, { resolution, hostStats: null, ipStats: null });
  });
  after(async () => {
    await t.close();
  });

  const form = multipart([{ name: 'url', content: 'https://counted.example/' }]);
  const routes = () => [
    { method: 'POST' as const, url: '/api/v3/urls', payload: form.payload, headers: form.headers, group: 'urls' },
    { method: 'GET' as const, url: `/api/v3/urls/${urlId}`, group: 'urls' },
    { method: 'GET' as const, url: `/api/v3/urls/${urlId}?relationships=analyses,contacted_ips`, group: 'urls' },
    { method: 'POST' as const, url: `/api/v3/urls/${urlId}/analyse`, group: 'urls' },
    { method: 'GET' as const, url: `/api/v3/urls/${urlId}/screenshot`, group: 'urls' },
    { method: 'GET' as const, url: `/api/v3/urls/${urlId}/analyses`, group: 'url_relationships' },
    { method: 'GET' as const, url: `/api/v3/urls/${urlId}/relationships/contacted_ips`, group: 'url_relationships' },
    { method: 'GET' as const, url: `/api/v3/urls/${urlId}/network_location`, group: 'url_relationships' },
    { method: 'GET' as const, url: '/api/v3/domains/counted.example', group: 'domains' },
    { method: 'POST' as const, url: '/api/v3/domains/counted.example/analyse', group: 'domains' },
    { method: 'GET' as const, url: '/api/v3/domains/counted.example/subdomains', group: 'domain_relationships' },
    { method: 'GET' as const, url: '/api/v3/domains/counted.example/relationships/parent', group: 'domain_relationships' },
    { method: 'GET' as const, url: '/api/v3/ip_addresses/192.0.2.1', group: 'ip_addresses' },
    { method: 'POST' as const, url: '/api/v3/ip_addresses/192.0.2.1/analyse', group: 'ip_addresses' },
    { method: 'GET' as const, url: '/api/v3/ip_addresses/192.0.2.1/resolutions', group: 'ip_relationships' },
    { method: 'GET' as const, url: '/api/v3/resolutions/192.0.2.1counted.example', group: 'resolutions' },
  ];

  it('no key: 401 AuthenticationRequiredError; wrong key: 401 WrongCredentialsError; nothing submitted', async () => {
    for (const r of routes()) {
      assertError(await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...r.headers } }), 401, 'AuthenticationRequiredError');
      assertError(await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...r.headers, 'x-apikey': 'wrong' } }), 401, 'WrongCredentialsError');
    }
    assert.equal(t.fake.state.network.urls.get(urlId)!.timesSubmitted, 1);
    assert.deepEqual(t.fake.state.network.refreshed, []);
  });

  it('counts each request once under its endpoint group', async () => {
    for (const r of routes()) {
      t.fake.state.admitted.length = 0;
      const res = await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: { ...r.headers, ...alice } });
      assert.equal(res.statusCode, 200, `${r.method} ${r.url}: ${res.body}`);
      assert.deepEqual(t.fake.state.admitted, [{ userId: 'u-alice', group: r.group }], `${r.method} ${r.url}`);
    }
  });

  it('a refused quota: 429 before the URL is read or submitted', async () => {
    t.fake.state.overQuota.add('u-admin');
    try {
      const before = t.fake.state.network.urls.get(urlId)!.timesSubmitted;
      assertError(await t.app.inject({ method: 'POST', url: '/api/v3/urls', payload: form.payload, headers: { ...form.headers, ...admin } }), 429, 'QuotaExceededError');
      assert.equal(t.fake.state.network.urls.get(urlId)!.timesSubmitted, before);
    } finally {
      t.fake.state.overQuota.delete('u-admin');
    }
  });
});
