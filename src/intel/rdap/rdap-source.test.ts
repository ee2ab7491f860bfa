/** The RDAP source against a loopback RDAP server, and its routing through the shipped IANA registries. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRdapServer, type TestRdapServer } from '../../../test/support/rdap-server.js';
import { PluginError } from '../../core/plugin.js';
import { bundledRdapBootstrapDir } from './bundled-bootstrap-dir.js';
import { HttpStatusError, createFetchJson, type FetchJson } from './fetch-json.js';
import { RdapSource } from './rdap-source.js';
import { refreshBootstrap } from './refresh-bootstrap.js';
import { runIntelSourceContract } from '../contract.case.test.js';

const signal = () => AbortSignal.timeout(10_000);
const now = Date.UTC(2026, 0, 15, 12, 0, 0);
const pluginError = (flag: string, retryable?: boolean) => (err: unknown) =>
  err instanceof PluginError && err.flag === flag && (retryable === undefined || err.retryable === retryable);

describe('RdapSource against a loopback RDAP server', () => {
  let server: TestRdapServer;
  let source: RdapSource;
  before(async () => {
    server = await startRdapServer();
    source = new RdapSource({ bootstrapDir: bundledRdapBootstrapDir(), baseUrl: server.url, fetchJson: createFetchJson(), now: () => now });
    const readiness = await source.start();
    assert.equal(readiness.ready, true);
    assert.match(readiness.detail ?? '', /every query to http:\/\/127\.0\.0\.1/);
  });
  after(() => server?.close());

  it('renders a domain as registrar WHOIS text and lifts out its dates', async () => {
    const { attributes } = await source.lookup({ kind: 'domain', name: 'www.example.com' }, signal());
    // The registrable domain is what registries know.
    assert.equal(server.requests.at(-1), '/domain/example.com');
    const whois = attributes.whois as string;
    for (const line of [
      'Domain Name: EXAMPLE.COM',
      'Registry Domain ID: 2336799_DOMAIN_COM-VRSN',
      'Registrar: RESERVED-Internet Assigned Numbers Authority',
      'Registrar IANA ID: 376',
      'Creation Date: 1995-08-14T04:00:00Z',
      'Updated Date: 2025-08-14T07:01:39Z',
      'Registry Expiry Date: 2026-08-13T04:00:00Z',
      'Registrar Abuse Contact Email: abuse@iana.org',
      'Registrar Abuse Contact Phone: +1.3103015800',
      'Domain Status: clientDeleteProhibited https://icann.org/epp#clientDeleteProhibited',
      'Registrant Organization: Internet Assigned Numbers Authority',
      'Registrant Country: US',
      'Name Server: A.IANA-SERVERS.NET',
      'DNSSEC: signedDelegation',
      '>>> Last update of RDAP database: 2026-01-15T11:52:16Z <<<',
    ]) {
      assert.ok(whois.split('\n').includes(line), `missing "${line}" in:\n${whois}`);
    }
    assert.equal(attributes.registrar, 'RESERVED-Internet Assigned Numbers Authority');
    assert.equal(attributes.creation_date, Date.UTC(1995, 7, 14, 4, 0, 0) / 1000);
    assert.equal(attributes.expiration_date, Date.UTC(2026, 7, 13, 4, 0, 0) / 1000);
    assert.equal(attributes.last_update_date, Date.UTC(2025, 7, 14, 7, 1, 39) / 1000);
    assert.equal(attributes.whois_date, now / 1000);
  });

  it('renders an ARIN network and fills network, RIR and dates', async () => {
    const { attributes } = await source.lookup({ kind: 'ip', address: '8.8.8.8' }, signal());
    assert.equal(server.requests.at(-1), '/ip/8.8.8.8');
    assert.equal(attributes.network, '8.8.8.0/24');
    assert.equal(attributes.regional_internet_registry, 'ARIN');
    assert.equal(attributes.country, undefined, 'ARIN gives no network country');
    const whois = attributes.whois as string;
    assert.match(whois, /^NetRange: +8\.8\.8\.0 - 8\.8\.8\.255$/m);
    assert.match(whois, /^CIDR: +8\.8\.8\.0\/24$/m);
    assert.match(whois, /^NetName: +GOGL$/m);
    assert.match(whois, /^NetType: +Direct Allocation$/m);
    // 2023-12-28T17:24:33-05:00 is the 28th in UTC too.
    assert.match(whois, /^RegDate: +2023-12-28$/m);
    assert.match(whois, /^Organization: +Google LLC \(GOGL\)$/m);
    assert.match(whois, /^OrgAbuseEmail: +network-abuse@google\.com$/m);
  });

  it('derives an IPv6 CIDR from start and end, and takes the country RIPE gives', async () => {
    const { attributes } = await source.lookup({ kind: 'ip', address: '2a00:1450:4001:82b::200e' }, signal());
    assert.equal(attributes.network, '2a00:1450::/32');
    assert.equal(attributes.regional_internet_registry, 'RIPE NCC');
    assert.equal(attributes.country, 'IE');
  });

  it('a name the registry does not know gives no WHOIS, not an error', async () => {
    const { attributes } = await source.lookup({ kind: 'domain', name: 'never-registered-assay.com' }, signal());
    assert.deepEqual(attributes, {});
  });

  it('refuses names without a registrable domain', async () => {
    await assert.rejects(source.lookup({ kind: 'domain', name: 'com' }, signal()), pluginError('no-registrable-domain'));
  });

  it('bounds the answer size', async () => {
    const tiny = new RdapSource({ bootstrapDir: bundledRdapBootstrapDir(), baseUrl: server.url, fetchJson: createFetchJson({ maxBytes: 512 }) });
    await tiny.start();
    await assert.rejects(tiny.lookup({ kind: 'domain', name: 'example.com' }, signal()), pluginError('rdap-too-large'));
  });
});

describe('RdapSource routing and failures', () => {
  const recorded: string[] = [];
  const recorder: FetchJson = async (url) => {
    recorded.push(url);
    throw new HttpStatusError(404, url);
  };

  it('sends each query to the server the IANA registries name', async () => {
    const source = new RdapSource({ bootstrapDir: bundledRdapBootstrapDir(), fetchJson: recorder });
    const readiness = await source.start();
    assert.equal(readiness.ready, true);
    assert.match(readiness.detail ?? '', /dns 2025-06-27/);
    for (const target of [
      { kind: 'domain', name: 'mail.example.com' },
      { kind: 'domain', name: 'shop.example.co.uk' },
      { kind: 'ip', address: '8.8.8.8' },
      { kind: 'ip', address: '193.0.6.139' },
      { kind: 'ip', address: 'fd00::1' },
      { kind: 'ip', address: '2a00:1450::1' },
    ] as const) {
      await source.lookup(target, signal()).catch(() => undefined);
    }
    assert.deepEqual(recorded, [
      'https://rdap.verisign.com/com/v1/domain/example.com',
      'https://rdap.nominet.uk/uk/domain/example.co.uk',
      'https://rdap.arin.net/registry/ip/8.8.8.8',
      'https://rdap.db.ripe.net/ip/193.0.6.139',
      // fd00::/8 is local space: no registry holds it, so no query.
      'https://rdap.db.ripe.net/ip/2a00:1450::1',
    ]);
  });

  it('maps overload to retryable failures and odd answers to failures', async () => {
    const busy = new RdapSource({
      bootstrapDir: bundledRdapBootstrapDir(),
      fetchJson: async (url) => {
        throw new HttpStatusError(503, url);
      },
    });
    await busy.start();
    await assert.rejects(busy.lookup({ kind: 'ip', address: '8.8.8.8' }, signal()), pluginError('rdap-http-error', true));

    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 100; i++) cursor = cursor.next = {};
    const hostile = new RdapSource({ bootstrapDir: bundledRdapBootstrapDir(), fetchJson: async () => deep });
    await hostile.start();
    await assert.rejects(hostile.lookup({ kind: 'ip', address: '8.8.8.8' }, signal()), pluginError('rdap-bad-answer', false));

    const offline = new RdapSource({
      bootstrapDir: bundledRdapBootstrapDir(),
      fetchJson: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await offline.start();
    await assert.rejects(offline.lookup({ kind: 'domain', name: 'example.com' }, signal()), pluginError('rdap-unreachable', true));
  });

  it('is not ready without registries unless a server is configured', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'assay-rdap-empty-'));
    try {
      assert.equal((await new RdapSource({ bootstrapDir: empty, fetchJson: recorder }).start()).ready, false);
      assert.equal((await new RdapSource({ bootstrapDir: empty, baseUrl: 'http://127.0.0.1:1/', fetchJson: recorder }).start()).ready, true);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('refreshBootstrap', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'assay-rdap-refresh-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Serves the shipped registries as if from data.iana.org. */
  const fromSnapshot: FetchJson = async (url) => {
    assert.match(url, /^https:\/\/data\.iana\.org\/rdap\/(dns|ipv4|ipv6|asn)\.json$/);
    return JSON.parse(await readFile(path.join(bundledRdapBootstrapDir(), path.basename(url)), 'utf8'));
  };

  it('writes all four registries and reports their publication dates', async () => {
    const published = await refreshBootstrap(dir, fromSnapshot);
    assert.deepEqual(published, {
      dns: '2025-06-27T17:00:02Z',
      ipv4: '2019-06-07T19:00:02Z',
      ipv6: '2024-11-01T22:00:01Z',
      asn: '2025-01-17T20:00:02Z',
    });
    assert.deepEqual((await readdir(dir)).sort(), ['asn.json', 'dns.json', 'ipv4.json', 'ipv6.json']);
    const source = new RdapSource({ bootstrapDir: dir, fetchJson: fromSnapshot });
    assert.equal((await source.start()).ready, true);
  });

  it('leaves the previous files alone when one download is bad', async () => {
    const before = await readFile(path.join(dir, 'dns.json'), 'utf8');
    const brokenAsn: FetchJson = async (url) => (url.endsWith('asn.json') ? { oops: true } : { services: [] });
    await assert.rejects(refreshBootstrap(dir, brokenAsn), /no services array/);
    assert.equal(await readFile(path.join(dir, 'dns.json'), 'utf8'), before);
    assert.deepEqual((await readdir(dir)).sort(), ['asn.json', 'dns.json', 'ipv4.json', 'ipv6.json']);
  });
});

describe('RdapSource as an intel source', () => {
  let server: TestRdapServer;
  before(async () => {
    server = await startRdapServer();
  });
  after(() => server?.close());
  runIntelSourceContract('rdap', () => new RdapSource({ bootstrapDir: bundledRdapBootstrapDir(), baseUrl: server.url, fetchJson: createFetchJson() }), {
    target: { kind: 'domain', name: 'www.example.com' },
  });
});
