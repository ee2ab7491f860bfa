/** `assay domain` run in-process against the fake VirusTotal: DNS, WHOIS, certificate, popularity, verdicts; name checks. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeVtServer, type FakeVtServer } from '../../client/fake-vt-server.js';
import { memoryIo } from '../output.js';
import { runLookupDomain } from './lookup-domain.js';

const domainObject = {
  type: 'domain',
  id: 'example.com',
  links: { self: 'http://x/api/v3/domains/example.com' },
  attributes: {
    registrar: 'RESERVED-Internet Assigned Numbers Authority',
    creation_date: 808372800,
    expiration_date: 1786593600,
    last_update_date: 1723507200,
    whois_date: 1750000000,
    whois: 'Domain Name: EXAMPLE.COM\nRegistrar: RESERVED-Internet Assigned Numbers Authority',
    last_dns_records: [
      { type: 'A', value: '93.184.215.14', ttl: 300 },
      { type: 'MX', value: 'mx.example.com', priority: 10, ttl: 3600 },
      { type: 'SOA', value: 'ns.icann.org', rname: 'noc.dns.icann.org', serial: 2024081413, refresh: 7200, retry: 3600, expire: 1209600, minimum: 3600, ttl: 3600 },
      { type: 'CAA', value: 'letsencrypt.org', flag: 0, tag: 'issue', ttl: 300 },
    ],
    last_dns_records_date: 1750000000,
    last_https_certificate: {
      subject: { CN: 'www.example.org' },
      issuer: { C: 'US', O: 'DigiCert Inc', CN: 'DigiCert Global G2 TLS RSA SHA256 2020 CA1' },
      validity: { not_before: '2025-01-15 00:00:00', not_after: '2026-01-15 23:59:59' },
      extensions: { subject_alternative_name: ['www.example.org', 'example.com'] },
    },
    last_https_certificate_date: 1750000000,
    popularity_ranks: { Tranco: { rank: 120, timestamp: 1749945600 } },
    categories: {},
    last_analysis_date: 1750000000,
    last_analysis_stats: { harmless: 2, malicious: 0, suspicious: 0, undetected: 0, timeout: 0 },
    last_analysis_results: {
      URLhaus: { engine_name: 'URLhaus', category: 'harmless', result: 'clean', method: 'blacklist' },
      OpenPhish: { engine_name: 'OpenPhish', category: 'harmless', result: 'clean', method: 'blacklist' },
    },
  },
};

describe('assay domain', () => {
  let server: FakeVtServer;
  before(async () => {
    server = await startFakeVtServer();
    server.domains.set('example.com', domainObject);
    server.domains.set('xn--bcher-kva.example', { type: 'domain', id: 'xn--bcher-kva.example', attributes: {} });
  });
  after(async () => server?.close());

  const flags = () => ['--server', server.url, '--apikey', server.apiKey];

  test('prints the WHOIS summary, certificate, popularity, DNS records and verdicts', async () => {
    const io = memoryIo();
    assert.equal(await runLookupDomain(['Example.COM.', ...flags()], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      'domain         example.com',
      'registrar      RESERVED-Internet Assigned Numbers Authority',
      'created        1995-08-14 04:00:00 UTC',
      'expires        2026-08-13 04:00:00 UTC',
      'updated        2024-08-13 00:00:00 UTC',
      'whois checked  2025-06-15 15:06:40 UTC',
      'certificate    CN=www.example.org',
      '  issuer       CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1, O=DigiCert Inc, C=US',
      '  valid        2025-01-15 00:00:00 to 2026-01-15 23:59:59',
      '  names        www.example.org, example.com',
      '  seen         2025-06-15 15:06:40 UTC',
      'categories     -',
      'popularity     Tranco #120 (2025-06-15)',
      'last analysis  2025-06-15 15:06:40 UTC',
      'detections     0/2',
      'stats          malicious 0, suspicious 0, undetected 0, harmless 2, timeout 0',
      '',
      'TYPE  TTL   VALUE',
      'A     300   93.184.215.14',
      'MX    3600  mx.example.com priority=10',
      'SOA   3600  ns.icann.org rname=noc.dns.icann.org serial=2024081413 refresh=7200 retry=3600 expire=1209600 minimum=3600',
      'CAA   300   letsencrypt.org flag=0 tag=issue',
      '(resolved 2025-06-15 15:06:40 UTC)',
      '',
      'ENGINE     CATEGORY  RESULT',
      'OpenPhish  harmless  clean',
      'URLhaus    harmless  clean',
      '',
    ]);
    // Sent as VT names it: lower case, no trailing dot.
    assert.ok(server.requests.includes('GET /api/v3/domains/example.com'));
  });

  test('a unicode name is sent as punycode; a bare object still prints', async () => {
    const io = memoryIo();
    assert.equal(await runLookupDomain(['bücher.example', ...flags()], io), 0, io.err());
    assert.match(io.out(), /^domain +xn--bcher-kva\.example$/m);
    assert.match(io.out(), /^registrar +-$/m);
    assert.match(io.out(), /^no DNS records yet$/m);
  });

  test('--json prints the data object', async () => {
    const io = memoryIo();
    assert.equal(await runLookupDomain(['example.com', '--json', ...flags()], io), 0, io.err());
    assert.deepEqual(JSON.parse(io.out()), domainObject);
  });

  test('an unknown domain exits 1; a URL or an IP is a usage error pointing at the right command', async () => {
    const unknown = memoryIo();
    assert.equal(await runLookupDomain(['unknown.example', ...flags()], unknown), 1);
    assert.equal(unknown.err(), 'assay: NotFoundError: Domain "unknown.example" not found (HTTP 404)\n');
    for (const [arg, pattern] of [
      ['https://example.com/x', /not a domain name \(for a URL use `assay url`\)/],
      ['192.0.2.1', /is an IP address: use `assay ip`/],
      ['exa mple.com', /not a domain name/],
    ] as const) {
      const io = memoryIo();
      assert.equal(await runLookupDomain([arg, ...flags()], io), 2, io.err());
      assert.match(io.err(), pattern);
    }
  });
});
