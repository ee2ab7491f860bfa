/** `assay ip` run in-process against the fake VirusTotal: network, owner, location, WHOIS summary, verdicts; address checks. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeVtServer, type FakeVtServer } from '../../client/fake-vt-server.js';
import { memoryIo } from '../output.js';
import { runLookupIp, whoisSummary } from './lookup-ip.js';

const ARIN_WHOIS = [
  'NetRange:       8.8.8.0 - 8.8.8.255',
  'CIDR:           8.8.8.0/24',
  'NetName:        GOGL',
  'NetHandle:      NET-8-8-8-0-2',
  'NetType:        Direct Allocation',
  'RegDate:        2023-12-28',
  'Updated:        2023-12-28',
  'OrgName:        Google LLC',
  'OrgAbuseEmail:  network-abuse@google.com',
].join('\n');

const ipObject = {
  type: 'ip_address',
  id: '8.8.8.8',
  links: { self: 'http://x/api/v3/ip_addresses/8.8.8.8' },
  attributes: {
    asn: 15169,
    as_owner: 'GOOGLE',
    country: 'US',
    continent: 'NA',
    network: '8.8.8.0/24',
    regional_internet_registry: 'ARIN',
    whois: ARIN_WHOIS,
    whois_date: 1750000000,
    last_analysis_stats: { harmless: 1, malicious: 0, suspicious: 0, undetected: 0, timeout: 0 },
    last_analysis_results: { URLhaus: { engine_name: 'URLhaus', category: 'harmless', result: 'clean', method: 'blacklist' } },
  },
};

describe('assay ip', () => {
  let server: FakeVtServer;
  before(async () => {
    server = await startFakeVtServer();
    server.ipAddresses.set('8.8.8.8', ipObject);
    server.ipAddresses.set('2001:db8::1', { type: 'ip_address', id: '2001:db8::1', attributes: { country: 'NL' } });
  });
  after(async () => server?.close());

  const flags = () => ['--server', server.url, '--apikey', server.apiKey];

  test('prints asn, owner, location, network, RIR, a WHOIS summary and verdicts', async () => {
    const io = memoryIo();
    assert.equal(await runLookupIp(['8.8.8.8', ...flags()], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      'ip             8.8.8.8',
      'asn            AS15169',
      'as owner       GOOGLE',
      'country        US',
      'continent      NA',
      'network        8.8.8.0/24',
      'rir            ARIN',
      'whois          NetName: GOGL',
      '               NetType: Direct Allocation',
      '               RegDate: 2023-12-28',
      '               Updated: 2023-12-28',
      '               OrgName: Google LLC',
      '               OrgAbuseEmail: network-abuse@google.com',
      'whois checked  2025-06-15 15:06:40 UTC',
      'last analysis  -',
      'detections     0/1',
      'stats          malicious 0, suspicious 0, undetected 0, harmless 1, timeout 0',
      '',
      'ENGINE   CATEGORY  RESULT',
      'URLhaus  harmless  clean',
      '',
    ]);
  });

  test('IPv6, bracketed or not, is sent with its colons; --json prints the data object', async () => {
    const io = memoryIo();
    assert.equal(await runLookupIp(['[2001:DB8::1]', '--json', ...flags()], io), 0, io.err());
    assert.equal(JSON.parse(io.out()).attributes.country, 'NL');
    assert.ok(server.requests.includes('GET /api/v3/ip_addresses/2001:db8::1'));
  });

  test('RIPE-style WHOIS keeps one line per key', () => {
    const ripe = 'inetnum: 193.0.0.0 - 193.0.7.255\nnetname: RIPE-NCC\ndescr: RIPE Network Coordination Centre\ndescr: Amsterdam\norg-name: RIPE NCC\n% comment';
    assert.deepEqual(whoisSummary(ripe), ['netname: RIPE-NCC', 'descr: RIPE Network Coordination Centre', 'org-name: RIPE NCC']);
    assert.deepEqual(whoisSummary(undefined), []);
  });

  test('an unknown address exits 1; a name is a usage error', async () => {
    const unknown = memoryIo();
    assert.equal(await runLookupIp(['192.0.2.1', ...flags()], unknown), 1);
    assert.equal(unknown.err(), 'assay: NotFoundError: IP address "192.0.2.1" not found (HTTP 404)\n');
    const bad = memoryIo();
    assert.equal(await runLookupIp(['example.com', ...flags()], bad), 2);
    assert.match(bad.err(), /"example\.com" is not an IPv4 or IPv6 address/);
  });
});
