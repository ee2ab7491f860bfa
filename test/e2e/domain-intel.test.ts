/**
 * Domains and IP addresses end to end, against real servers on loopback that the test starts: a
 * DNS server, an RDAP server with recorded-format answers and a TLS server with a certificate made
 * here. Nothing reaches the internet.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { startRdapServer, verisignDomainAnswer, type TestRdapServer } from '../support/rdap-server.js';
import { api, startServer, type TestServer } from '../support/server.js';
import { opensslUnavailable, startTlsServer, type TestTlsServer } from '../support/tls-server.js';

const run = promisify(execFile);
const DOMAIN = 'assay-test.com';
/** Enough addresses for three pages of resolutions at limit 10. */
const ADDRESSES = ['127.0.0.1', '8.8.8.8', ...Array.from({ length: 23 }, (_, i) => `8.8.4.${i + 1}`)];

describe('domains and IP addresses end to end', () => {
  let dns: TestDnsServer;
  let rdap: TestRdapServer;
  let tlsServer: TestTlsServer;
  let server: TestServer;
  let client: ReturnType<typeof api>;

  before(async () => {
    const noOpenssl = await opensslUnavailable();
    if (noOpenssl) throw new Error(noOpenssl);
    tlsServer = await startTlsServer({ subject: `/CN=${DOMAIN}/O=Assay Test`, subjectAltName: `DNS:${DOMAIN},DNS:www.${DOMAIN}` });
    dns = await startDnsServer({
      [DOMAIN]: [
        ...ADDRESSES.map((value) => ({ type: 'A' as const, value, ttl: 300 })),
        { type: 'AAAA', value: '2001:4860:4860::8888', ttl: 300 },
        { type: 'MX', value: `mail.${DOMAIN}`, priority: 10 },
        { type: 'NS', value: `ns1.${DOMAIN}` },
        { type: 'TXT', value: 'v=spf1 -all' },
        { type: 'CAA', value: 'letsencrypt.org', tag: 'issue' },
        { type: 'SOA', value: `ns1.${DOMAIN}`, rname: `hostmaster.${DOMAIN}`, serial: 2026112801, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 },
      ],
      [`www.${DOMAIN}`]: [{ type: 'CNAME', value: DOMAIN }],
      'fresh-name.com': [{ type: 'A', value: '8.8.8.8' }],
      'xn--mnchen-3ya.de': [{ type: 'A', value: '8.8.8.8' }],
    } as never);
    rdap = await startRdapServer({
      domains: { [DOMAIN]: verisignDomainAnswer(DOMAIN), 'fresh-name.com': verisignDomainAnswer('fresh-name.com') },
    });
    server = await startServer({
      env: {
        ASSAY_DNS_SERVERS: `127.0.0.1:${dns.port}`,
        ASSAY_RDAP_URL: rdap.url,
        ASSAY_TLS_PORT: String(tlsServer.port),
        ASSAY_FETCH_ALLOW: '127.0.0.1/32',
      },
    });
    client = api(server, server.adminKey);
  });
  after(async () => {
    await server?.stop();
    await Promise.all([dns?.close(), rdap?.close(), tlsServer?.close()]);
  });

  test('a domain report: DNS records of every type, WHOIS fields, the certificate, and geo for its addresses', async () => {
    const r = await client.get(`/domains/${DOMAIN}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.type, 'domain');
    assert.equal(r.json.data.id, DOMAIN);
    const a = r.json.data.attributes;
    const types = new Set(a.last_dns_records.map((x: { type: string }) => x.type));
    for (const type of ['A', 'AAAA', 'MX', 'NS', 'TXT', 'CAA', 'SOA']) assert.ok(types.has(type), `${type} in ${[...types].join(',')}`);
    assert.equal(a.last_dns_records.find((x: { type: string; value: string }) => x.type === 'A' && x.value === '8.8.8.8').ttl, 300);
    assert.equal(a.last_dns_records.find((x: { type: string }) => x.type === 'MX').priority, 10);
    assert.equal(typeof a.last_dns_records_date, 'number');
    assert.match(a.whois, /Registrar/i);
    assert.equal(typeof a.registrar, 'string');
    assert.equal(typeof a.creation_date, 'number');
    assert.equal(typeof a.expiration_date, 'number');
    assert.equal(a.tld, 'com');
    assert.equal(a.last_https_certificate.subject.CN, DOMAIN);
    assert.equal(a.last_https_certificate.thumbprint_sha256, tlsServer.opensslSha256);
    assert.deepEqual(a.last_https_certificate.extensions.subject_alternative_name.sort(), [DOMAIN, `www.${DOMAIN}`]);
    assert.equal(typeof a.last_https_certificate_date, 'number');
    assert.ok(a.last_analysis_stats, 'judged by the URL engines');

    const ip = await client.get('/ip_addresses/8.8.8.8');
    assert.equal(ip.status, 200, ip.text);
    assert.equal(ip.json.data.attributes.asn, 15169);
    assert.equal(ip.json.data.attributes.country, 'US');
    assert.equal(ip.json.data.attributes.continent, 'NA');
    assert.match(ip.json.data.attributes.as_owner, /Google/i);
    assert.equal(ip.json.data.attributes.regional_internet_registry, 'ARIN');
    assert.match(ip.json.data.attributes.network, /^8\.8\.8\.0\/24$/);
  });

  test('the resolutions relationship pages through every address to the end', async () => {
    const seen: string[] = [];
    let next: string | undefined = `/domains/${DOMAIN}/resolutions?limit=10`;
    let pages = 0;
    while (next) {
      const page = await client.get(next);
      assert.equal(page.status, 200, page.text);
      pages += 1;
      for (const r of page.json.data) {
        assert.equal(r.type, 'resolution');
        assert.equal(r.attributes.host_name, DOMAIN);
        assert.equal(r.id, `${r.attributes.ip_address}${DOMAIN}`);
        seen.push(r.attributes.ip_address);
      }
      next = page.json.links.next;
      if (next) assert.ok(page.json.meta.cursor);
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), [...ADDRESSES, '2001:4860:4860::8888'].sort(), 'every address once, IPv6 included');
    const one = await client.get(`/resolutions/8.8.8.8${DOMAIN}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.data.attributes.resolver, `127.0.0.1:${dns.port}`);
  });

  test('50 concurrent requests for a new domain cause one query per record type per source and one RDAP request', async () => {
    const name = 'fresh-name.com';
    const answers = await Promise.all(Array.from({ length: 50 }, () => client.get(`/domains/${name}`)));
    for (const answer of answers) assert.equal(answer.status, 200, answer.text);
    const perType = new Map<string, number>();
    for (const q of dns.queries.filter((q) => q.name === name)) perType.set(q.type, (perType.get(q.type) ?? 0) + 1);
    assert.ok(perType.size >= 7, `record types asked: ${[...perType.keys()].join(',')}`);
    // The dns source asks each type once; the TLS probe resolves the name itself (to vet the address
    // it connects to), once too: two A and two AAAA queries, not fifty.
    for (const [type, count] of perType) assert.equal(count, type === 'A' || type === 'AAAA' ? 2 : 1, `${type} asked ${count} times`);
    assert.equal(rdap.requests.filter((p) => p === `/domain/${name}`).length, 1);
  });

  test('the CLI prints the domain and IP reports', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--server', server.url, '--apikey', server.adminKey], { timeout: 60_000 });
    const domain = await cli('domain', DOMAIN);
    assert.match(domain.stdout, new RegExp(DOMAIN));
    assert.match(domain.stdout, /registrar/i);
    assert.match(domain.stdout, /8\.8\.8\.8/);
    const ip = await cli('ip', '8.8.8.8');
    assert.match(ip.stdout, /15169/);
    assert.match(ip.stdout, /Google/i);
    const json = JSON.parse((await cli('domain', DOMAIN, '--json')).stdout);
    assert.equal(json.id, DOMAIN);
  });

  test('names: unicode is normalised, bad names and addresses are InvalidArgumentError', async () => {
    const unicode = await client.get(`/domains/${encodeURIComponent('münchen.de')}`);
    assert.equal(unicode.status, 200, unicode.text);
    assert.equal(unicode.json.data.id, 'xn--mnchen-3ya.de');
    for (const bad of ['/domains/bad_name!.com', '/domains/-x-.com', '/ip_addresses/300.1.1.1', '/ip_addresses/not-an-ip']) {
      const r = await client.get(bad);
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.equal(r.json.error.code, 'InvalidArgumentError');
    }
  });

  test('a refresh asks the sources again; WHOIS history keeps one entry while nothing changed', async () => {
    const before = rdap.requests.filter((p) => p === `/domain/${DOMAIN}`).length;
    const refreshed = await client.post(`/domains/${DOMAIN}/analyse`);
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(rdap.requests.filter((p) => p === `/domain/${DOMAIN}`).length, before + 1);
    const history = await client.get(`/domains/${DOMAIN}/historical_whois`);
    assert.equal(history.status, 200, history.text);
    assert.equal(history.json.data.length, 1);
    const certs = await client.get(`/domains/${DOMAIN}/historical_ssl_certificates`);
    assert.equal(certs.json.data[0].id, tlsServer.opensslSha256);
    const parent = await client.get(`/domains/www.${DOMAIN}/relationships/parent`);
    assert.deepEqual(parent.json.data, { type: 'domain', id: DOMAIN });
  });
});
