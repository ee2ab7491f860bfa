// GET /api/v3/metadata: the shape vt-cli's `vt init` caches.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { graphRelationships } from '../../app/graph/relationship-catalog.js';
import { alice, assertError, assertOk, createTestApp, type TestApp } from '../testing/harness.js';

const described = (owner: keyof typeof graphRelationships) => graphRelationships[owner].map(({ name, description }) => ({ name, description }));

describe('metadata', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('lists engines, URL engines and intel sources ready or not, relationships per type and privileges', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v3/metadata', headers: alice });
    assertOk(res);
    assert.deepEqual(res.json(), {
      data: {
        engines: {
          ClamAV: {
            name: 'ClamAV',
            version: '0.1.0',
            description: 'ClamAV daemon',
            accepts: { kinds: ['file'] },
            timeoutMs: 30_000,
            needsNetwork: false,
            ready: true,
            detail: null,
            engine_version: '1.4.1',
            engine_update: '20240101',
          },
          YARA: {
            name: 'YARA',
            version: '0.1.0',
            description: 'YARA rules',
            accepts: { kinds: ['file'] },
            timeoutMs: 10_000,
            needsNetwork: false,
            ready: false,
            detail: 'no rules compiled',
            engine_version: null,
            engine_update: 'rules-3f2a',
          },
        },
        analyzers: {
          filetype: {
            name: 'filetype',
            version: '0.1.0',
            description: 'Magika and libmagic',
            accepts: { kinds: ['file'] },
            timeoutMs: 5_000,
            needsNetwork: false,
            ready: true,
            detail: null,
            engine_version: null,
            engine_update: null,
          },
        },
        url_engines: {
          URLhaus: {
            name: 'URLhaus',
            version: '0.1.0',
            description: 'URLhaus feed',
            accepts: { kinds: ['url', 'domain', 'ip'] },
            timeoutMs: 1_000,
            needsNetwork: false,
            ready: true,
            detail: null,
            engine_version: null,
            engine_update: '20240102',
          },
        },
        intel_sources: {
          rdap: {
            name: 'rdap',
            version: '0.1.0',
            description: 'RDAP registration data',
            accepts: { kinds: ['domain', 'ip'] },
            timeoutMs: 10_000,
            needsNetwork: true,
            ready: false,
            detail: 'network access is off',
            engine_version: null,
            engine_update: null,
          },
        },
        relationships: {
          file: [
            { name: 'analyses', description: 'Analyses of the file, newest first.' },
            { name: 'comments', description: 'Comments on the file, newest first.' },
            { name: 'votes', description: 'Votes on the file, newest first.' },
            ...described('file'),
          ],
          analysis: [{ name: 'item', description: 'The file or URL that was analysed.' }],
          url: [{ name: 'analyses', description: 'Analyses of the URL, newest first.' }, ...described('url')],
          domain: described('domain'),
          ip_address: described('ip_address'),
        },
        privileges: ['admin', 'downloads'],
      },
    });
  });

  it('names every relationship the routes serve, the ones vt-cli turns into subcommands', async () => {
    const names = (await t.app.inject({ method: 'GET', url: '/api/v3/metadata', headers: alice })).json() as { data: { relationships: Record<string, Array<{ name: string }>> } };
    const of = (type: string) => names.data.relationships[type]!.map((r) => r.name);
    assert.deepEqual(of('url'), [
      'analyses',
      'contacted_domains',
      'contacted_ips',
      'downloaded_files',
      'http_response_contents',
      'last_serving_ip_address',
      'network_location',
      'redirecting_urls',
      'redirects_to',
    ]);
    assert.ok(of('domain').includes('resolutions') && of('domain').includes('parent') && of('domain').includes('subdomains'));
    assert.ok(of('ip_address').includes('resolutions') && !of('ip_address').includes('parent'));
    for (const type of ['url', 'domain', 'ip_address']) {
      for (const name of of(type)) {
        const collection = { url: 'urls', domain: 'domains', ip_address: 'ip_addresses' }[type];
        const res = await t.app.inject({ method: 'GET', url: `/api/v3/${collection}/${type === 'url' ? 'a'.repeat(64) : type === 'domain' ? 'example.com' : '192.0.2.1'}/relationships/${name}`, headers: alice });
        assert.notEqual(res.statusCode, 400, `${type} ${name}: ${res.body}`);
      }
    }
  });

  it('needs a key, and counts under "metadata"', async () => {
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/metadata' }), 401, 'AuthenticationRequiredError');
    t.fake.state.admitted.length = 0;
    await t.app.inject({ method: 'GET', url: '/api/v3/metadata', headers: alice });
    assert.deepEqual(t.fake.state.admitted, [{ userId: 'u-alice', group: 'metadata' }]);
  });
});
