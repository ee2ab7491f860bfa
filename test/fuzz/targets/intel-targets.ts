/**
 * Fuzz targets for what intel sources read from the network: RDAP JSON (through RdapSource with a
 * fake fetch), TLS certificates (random and mutated DER, certificates made by the openssl CLI) and
 * DNS answers (hostile packets from a loopback UDP server, read by DnsSource through c-ares).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { PluginError } from '../../../src/core/plugin.js';
import { DnsSource } from '../../../src/intel/dns/dns-source.js';
import { serverResolver } from '../../../src/net/host-resolver.js';
import { bundledRdapBootstrapDir } from '../../../src/intel/rdap/bundled-bootstrap-dir.js';
import { RdapSource } from '../../../src/intel/rdap/rdap-source.js';
import { certificateDict } from '../../../src/intel/tls/certificate-dict.js';
import { children, DerError, readNode } from '../../../src/intel/tls/der.js';
import { bytesAndMutations, expectOnly, fuzzTarget, mutationsOf, textBytes } from '../support/fuzz-target.js';

// ---- RDAP ----

const ROLES = ['registrar', 'abuse', 'registrant', 'technical', 'administrative', 'REGISTRAR'];
const ACTIONS = ['registration', 'expiration', 'last changed', 'last update of rdap database', 'Registration'];
const odd = fc.jsonValue({ maxDepth: 2 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, odd);

const vcard = fc.tuple(
  fc.constant('vcard'),
  fc.array(
    maybe(
      fc.tuple(fc.constantFrom('fn', 'org', 'email', 'tel', 'adr', 'version'), maybe(fc.record({ cc: maybe(fc.string({ maxLength: 4 })) })), fc.constant('text'), maybe(fc.oneof(fc.string({ maxLength: 20 }), fc.array(maybe(fc.string({ maxLength: 8 })), { maxLength: 8 })))),
    ),
    { maxLength: 6 },
  ),
);
const entity: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  entity: fc.record(
    {
      roles: maybe(fc.array(maybe(fc.constantFrom(...ROLES)), { maxLength: 3 })),
      vcardArray: maybe(vcard),
      handle: maybe(fc.string({ maxLength: 12 })),
      port43: maybe(fc.constantFrom('whois.arin.net', 'whois.ripe.net', '')),
      publicIds: maybe(fc.array(maybe(fc.record({ type: maybe(fc.constant('IANA Registrar ID')), identifier: odd })), { maxLength: 2 })),
      entities: maybe(fc.array(tie('entity'), { maxLength: 2 })),
    },
    { requiredKeys: [] },
  ),
})).entity;
const events = fc.array(maybe(fc.record({ eventAction: maybe(fc.constantFrom(...ACTIONS)), eventDate: maybe(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 30 }))) })), { maxLength: 5 });
const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 12 }));
const rdapObject = fc.record(
  {
    objectClassName: maybe(fc.constantFrom('domain', 'ip network')),
    ldhName: maybe(fc.oneof(fc.domain(), fc.string({ maxLength: 20 }))),
    handle: maybe(fc.string({ maxLength: 20 })),
    status: maybe(fc.array(maybe(fc.constantFrom('active', 'client transfer prohibited', 'server hold', 'x')), { maxLength: 4 })),
    events: maybe(events),
    entities: maybe(fc.array(entity, { maxLength: 4 })),
    nameservers: maybe(fc.array(maybe(fc.record({ ldhName: maybe(fc.domain()) })), { maxLength: 4 })),
    secureDNS: maybe(fc.record({ delegationSigned: maybe(fc.boolean()) })),
    port43: maybe(fc.string({ maxLength: 20 })),
    startAddress: maybe(ip),
    endAddress: maybe(ip),
    ipVersion: maybe(fc.constantFrom('v4', 'v6')),
    name: maybe(fc.string({ maxLength: 20 })),
    type: maybe(fc.constantFrom('DIRECT ALLOCATION', 'ASSIGNED PA')),
    country: maybe(fc.string({ maxLength: 3 })),
    parentHandle: maybe(fc.string({ maxLength: 20 })),
    cidr0_cidrs: maybe(fc.array(maybe(fc.record({ v4prefix: maybe(fc.ipV4()), v6prefix: maybe(fc.ipV6()), length: maybe(fc.integer({ min: -1, max: 200 })) })), { maxLength: 3 })),
    rdapConformance: maybe(fc.array(maybe(fc.constantFrom('rdap_level_0', 'arin_originas0', 'cidr0')), { maxLength: 3 })),
  },
  { requiredKeys: [] },
);

// ---- TLS ----

function certificates(): Buffer[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'assay-fuzz-tls-'));
  try {
    const make = (name: string, key: string[], extra: string[]) => {
      execFileSync('openssl', ['req', '-x509', ...key, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', ...extra], { cwd: dir, stdio: 'ignore' });
      return new X509Certificate(readFileSync(path.join(dir, `${name}.pem`))).raw;
    };
    return [
      make('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-subj', '/CN=fuzz.test/O=Assay/C=NL', '-addext', 'subjectAltName=DNS:fuzz.test,IP:127.0.0.1', '-addext', 'keyUsage=digitalSignature', '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'certificatePolicies=2.23.140.1.2.1']),
      make('rsa', ['-newkey', 'rsa:1024'], ['-subj', '/CN=rsa.fuzz.test', '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:1', '-addext', 'crlDistributionPoints=URI:http://crl.test/a.crl', '-addext', 'authorityInfoAccess=OCSP;URI:http://ocsp.test/']),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Offsets of every TLV header in a DER blob, so mutations hit tags and lengths. */
function tlvOffsets(der: Buffer): number[] {
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    for (let at = start; at < end && out.length < 2000 && depth < 12; ) {
      let node;
      try {
        node = readNode(der, at, end);
      } catch {
        return;
      }
      out.push(at, at + 1);
      if (der[at]! & 0x20) walk(node.start, node.end, depth + 1);
      at = node.end;
    }
  };
  walk(0, der.length, 0);
  return out;
}

// ---- DNS ----

interface DnsCtx {
  server: dgram.Socket;
  port: number;
  /** The answer bytes for the next queries, made from each query by `answer`. */
  answer: (query: Buffer) => Buffer | undefined;
}

/** A valid answer to `query` for every type DnsSource asks, packed by dns-packet. */
function validAnswer(query: Buffer): Buffer {
  const q = dnsPacket.decode(query);
  const question = q.questions![0]!;
  const name = question.name;
  const answers: dnsPacket.Answer[] = [];
  switch (question.type) {
    case 'A': answers.push({ type: 'A', name, ttl: 60, data: '192.0.2.1' }); break;
    case 'AAAA': answers.push({ type: 'AAAA', name, ttl: 60, data: '2001:db8::1' }); break;
    case 'CNAME': answers.push({ type: 'CNAME', name, data: 'alias.fuzz.test' }); break;
    case 'MX': answers.push({ type: 'MX', name, data: { preference: 10, exchange: 'mx.fuzz.test' } }); break;
    case 'NS': answers.push({ type: 'NS', name, data: 'ns1.fuzz.test' }); break;
    case 'SOA': answers.push({ type: 'SOA', name, data: { mname: 'ns1.fuzz.test', rname: 'h.fuzz.test', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } }); break;
    case 'TXT': answers.push({ type: 'TXT', name, data: ['v=spf1 -all', 'x'.repeat(200)] }); break;
    case 'CAA': answers.push({ type: 'CAA', name, data: { flags: 0, tag: 'issue', value: 'ca.test' } }); break;
  }
  return dnsPacket.encode({ id: q.id, type: 'response', flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [question], answers });
}


export const targets = {
  'rdap-answer': fuzzTarget({
    setup: async () => {
      let body: unknown;
      const source = new RdapSource({ bootstrapDir: bundledRdapBootstrapDir(), baseUrl: 'http://rdap.fuzz.test/', fetchJson: async () => body, now: () => 1_700_000_000_000 });
      assert.equal((await source.start()).ready, true);
      return { source, setBody: (b: unknown) => (body = b) };
    },
    inputs: () => fc.oneof(textBytes(rdapObject.map((o) => JSON.stringify(o))), textBytes(fc.json({ maxDepth: 4 }))),
    check: async (input, { source, setBody }) => {
      setBody(JSON.parse(input.toString('utf8')));
      for (const target of [{ kind: 'domain', name: 'example.com' }, { kind: 'ip', address: '192.0.2.1' }] as const) {
        try {
          const result = await source.lookup(target, AbortSignal.timeout(600_000));
          const whois = result.attributes.whois;
          assert.ok(whois === undefined || typeof whois === 'string');
          assert.doesNotThrow(() => JSON.stringify(result));
        } catch (error) {
          expectOnly(error, [PluginError], `RdapSource.lookup(${target.kind})`);
        }
      }
    },
    shortRuns: 300,
  }),

  'der-reader': fuzzTarget({
    setup: async () => ({ certs: certificates() }),
    inputs: ({ certs }) => bytesAndMutations(certs, [...new Set(certs.flatMap(tlvOffsets))], 512),
    check: (input) => {
      // The reader walks any bytes to the end or stops with DerError.
      try {
        const stack = [readNode(input, 0)];
        let visited = 0;
        while (stack.length > 0 && visited++ < 10_000) {
          const node = stack.pop()!;
          assert.ok(node.start <= node.end && node.end <= input.length, 'a node lies inside the buffer');
          if (node.tag & 0x20) stack.push(...children(input, node));
        }
      } catch (error) {
        expectOnly(error, [DerError], 'DER reader');
      }
    },
    shortRuns: 500,
  }),

  'tls-certificate': fuzzTarget({
    setup: async () => {
      const certs = certificates();
      for (const raw of certs) certificateDict(new X509Certificate(raw));
      return { certs };
    },
    inputs: ({ certs }) => mutationsOf(certs, [...new Set(certs.flatMap(tlvOffsets))]),
    check: (input) => {
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(input);
      } catch {
        return; // OpenSSL refused it: TlsSource never sees such a certificate.
      }
      try {
        const dict = certificateDict(cert);
        assert.doesNotThrow(() => JSON.stringify(dict));
        assert.equal(dict.size, cert.raw.length);
      } catch (error) {
        // Documented: DerError, or a plain Error for a certificate without its three parts.
        expectOnly(error, [DerError, Error], 'certificateDict');
      }
    },
    shortRuns: 500,
  }),

  'dns-answer': fuzzTarget({
    setup: async (): Promise<DnsCtx> => {
      const server = dgram.createSocket('udp4');
      const ctx: DnsCtx = { server, port: 0, answer: validAnswer };
      server.on('message', (query, rinfo) => {
        let reply: Buffer | undefined;
        try {
          reply = ctx.answer(query);
        } catch {
          reply = undefined;
        }
        if (reply) server.send(reply, rinfo.port, rinfo.address);
      });
      await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
      ctx.port = server.address().port;
      return ctx;
    },
    teardown: async (ctx) => {
      await new Promise<void>((resolve) => ctx.server.close(() => resolve()));
    },
    // The input holds the mutation mode and the mutation itself, applied to each answer.
    inputs: () => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 64 })).map(([mode, where, bytes]) => Buffer.concat([Buffer.from([mode]), Buffer.from(new Uint32Array([where]).buffer), bytes])),
    check: async (input, ctx) => {
      const mode = input[0]! % 3;
      const where = input.length >= 5 ? input.readUInt32LE(1) : 0;
      const bytes = input.subarray(5);
      ctx.answer = (query) => {
        const valid = validAnswer(query);
        if (mode === 0) return valid;
        // Keep the id (c-ares drops answers to other ids), then overwrite or cut the rest.
        if (mode === 1) {
          const at = 2 + (where % Math.max(1, valid.length - 2));
          const out = Buffer.from(valid);
          out.set(bytes.subarray(0, out.length - at), at);
          return out;
        }
        return Buffer.concat([valid.subarray(0, 2), bytes]).subarray(0, 2 + (where % (bytes.length + 1)));
      };
      const source = new DnsSource({ servers: [`127.0.0.1:${ctx.port}`], queryTimeoutMs: 300, tries: 1 });
      await source.start();
      try {
        const result = await source.lookup({ kind: 'domain', name: 'fuzz.test' }, AbortSignal.timeout(600_000));
        const records = result.attributes.last_dns_records as Array<{ type: string; value: string }>;
        assert.ok(Array.isArray(records));
        for (const r of records) assert.equal(typeof r.value, 'string');
        if (mode === 0) assert.deepEqual(records.map((r) => r.type).sort(), ['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NS', 'SOA', 'TXT']);
      } catch (error) {
        expectOnly(error, [PluginError], 'DnsSource.lookup');
        assert.notEqual(mode, 0, 'a valid answer is read');
      }
      // The safe fetcher's resolver reads the same answers: only addresses come out, or a plain Error (c-ares's, or "no A or AAAA record").
      try {
        const addresses = await serverResolver([`127.0.0.1:${ctx.port}`], { timeoutMs: 300, tries: 1 })('fuzz.test', AbortSignal.timeout(600_000));
        assert.ok(addresses.length > 0 && addresses.every((a) => isIP(a.address) === a.family), JSON.stringify(addresses));
      } catch (error) {
        expectOnly(error, [Error], 'serverResolver');
        assert.notEqual(mode, 0, 'a valid answer is read');
      }
    },
    shortRuns: 60,
  }),
};
