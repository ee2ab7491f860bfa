/** The DNS source against a loopback authoritative server: every record type, TTLs, empty and failed answers. */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { startDnsServer, type TestDnsServer, type Zone } from '../../../test/support/dns-server.js';
import { PluginError } from '../../core/plugin.js';
import { DnsSource } from './dns-source.js';
import { runIntelSourceContract } from '../contract.case.test.js';

const zone: Zone = {
  'example.test': [
    { type: 'A', value: '93.184.216.34', ttl: 3600 },
    { type: 'A', value: '93.184.216.35', ttl: 3600 },
    { type: 'AAAA', value: '2606:2800:220:1:248:1893:25c8:1946', ttl: 1800 },
    { type: 'MX', value: 'mx1.example.test', priority: 10, ttl: 600 },
    { type: 'MX', value: 'mx2.example.test', priority: 20, ttl: 600 },
    { type: 'NS', value: 'ns1.example.test', ttl: 86400 },
    { type: 'NS', value: 'ns2.example.test', ttl: 86400 },
    {
      type: 'SOA',
      value: 'ns1.example.test',
      rname: 'hostmaster.example.test',
      serial: 2026011501,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
      ttl: 3600,
    },
    { type: 'TXT', value: 'v=spf1 -all', ttl: 300 },
    // Split into character-strings on the wire; reported joined.
    { type: 'TXT', value: ['google-site-verification=', 'abc123'], ttl: 300 },
    { type: 'CAA', value: 'letsencrypt.org', tag: 'issue', flag: 0, ttl: 3600 },
    { type: 'CAA', value: 'mailto:security@example.test', tag: 'iodef', flag: 128, ttl: 3600 },
  ],
  'www.example.test': [{ type: 'CNAME', value: 'example.test', ttl: 120 }],
};

describe('DnsSource', () => {
  let server: TestDnsServer;
  let source: DnsSource;
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  before(async () => {
    server = await startDnsServer(zone);
    source = new DnsSource({ servers: [server.server], now: () => now });
    assert.equal((await source.start()).ready, true);
  });
  after(() => server?.close());

  it("renders every record type in VT's last_dns_records shape", async () => {
    const result = await source.lookup({ kind: 'domain', name: 'example.test' }, AbortSignal.timeout(10_000));
    assert.deepEqual(result.attributes.last_dns_records, [
      { type: 'A', value: '93.184.216.34', ttl: 3600 },
      { type: 'A', value: '93.184.216.35', ttl: 3600 },
      { type: 'AAAA', value: '2606:2800:220:1:248:1893:25c8:1946', ttl: 1800 },
      { type: 'MX', value: 'mx1.example.test', priority: 10 },
      { type: 'MX', value: 'mx2.example.test', priority: 20 },
      { type: 'NS', value: 'ns1.example.test' },
      { type: 'NS', value: 'ns2.example.test' },
      {
        type: 'SOA',
        value: 'ns1.example.test',
        rname: 'hostmaster.example.test',
        serial: 2026011501,
        refresh: 7200,
        retry: 3600,
        expire: 1209600,
        minimum: 300,
      },
      { type: 'TXT', value: 'v=spf1 -all' },
      { type: 'TXT', value: 'google-site-verification=abc123' },
      { type: 'CAA', value: 'letsencrypt.org', flag: 0, tag: 'issue' },
      { type: 'CAA', value: 'mailto:security@example.test', flag: 128, tag: 'iodef' },
    ]);
    assert.equal(result.attributes.last_dns_records_date, now / 1000);
    assert.deepEqual(result.resolutions, [
      { hostName: 'example.test', ipAddress: '93.184.216.34', resolver: server.server },
      { hostName: 'example.test', ipAddress: '93.184.216.35', resolver: server.server },
      { hostName: 'example.test', ipAddress: '2606:2800:220:1:248:1893:25c8:1946', resolver: server.server },
    ]);
  });

  it('reports the CNAME of an alias and the addresses it leads to', async () => {
    const result = await source.lookup({ kind: 'domain', name: 'www.example.test' }, AbortSignal.timeout(10_000));
    const records = result.attributes.last_dns_records as Array<{ type: string; value: string }>;
    assert.deepEqual(
      records.filter((r) => r.type === 'CNAME' || r.type === 'A').map((r) => `${r.type} ${r.value}`),
      ['A 93.184.216.34', 'A 93.184.216.35', 'CNAME example.test'],
    );
    assert.equal(result.resolutions?.[0]?.hostName, 'www.example.test');
  });

  it('an unknown name is an empty answer, not a failure', async () => {
    const result = await source.lookup({ kind: 'domain', name: 'nothing-here.example.test' }, AbortSignal.timeout(10_000));
    assert.deepEqual(result.attributes.last_dns_records, []);
    assert.deepEqual(result.resolutions, []);
  });

  it('no resolver answering is a retryable dns-unavailable failure', async () => {
    // A bound socket that never replies: every query times out.
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const dead = new DnsSource({ servers: [`127.0.0.1:${silent.address().port}`], queryTimeoutMs: 200, tries: 1 });
      await assert.rejects(
        dead.lookup({ kind: 'domain', name: 'example.test' }, AbortSignal.timeout(10_000)),
        (err: unknown) => err instanceof PluginError && err.flag === 'dns-unavailable' && err.retryable,
      );
    } finally {
      silent.close();
    }
  });

  it('refuses IP targets and bad resolver addresses', async () => {
    await assert.rejects(source.lookup({ kind: 'ip', address: '8.8.8.8' }, AbortSignal.timeout(1_000)), { flag: 'type-unsupported' });
    const bad = new DnsSource({ servers: ['not an address'] });
    assert.equal((await bad.start()).ready, false);
  });
});

describe('DnsSource as an intel source', () => {
  let server: TestDnsServer;
  before(async () => {
    server = await startDnsServer(zone);
  });
  after(() => server?.close());
  runIntelSourceContract('dns', () => new DnsSource({ servers: [server.server] }), { target: { kind: 'domain', name: 'example.test' } });
});
