/**
 * A loopback RDAP server answering `/domain/<name>` and `/ip/<address>` with answers in the shape
 * of Verisign's (domains) and ARIN's (networks), counting the requests it gets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';

type Json = Record<string, unknown>;

export interface TestRdapServer {
  /** Base URL ending in `/`, as ASSAY_RDAP_URL would be. */
  url: string;
  /** Request paths, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface RdapServerOptions {
  /** Domain answers by lower-case name; default: example.com and assay-test.com. */
  domains?: Record<string, Json>;
  /** Network answers; an address is answered by the first network holding it. Default: ARIN's 8.8.8.0/24 and an IPv6 block. */
  networks?: Json[];
}

const NOTICES = [
  {
    title: 'Terms of Use',
    description: ['Service subject to Terms of Use.'],
    links: [{ href: 'https://www.verisign.com/domain-names/registration-data-access-protocol/terms-service/index.xhtml', type: 'text/html' }],
  },
  {
    title: 'Status Codes',
    description: ['For more information on domain status codes, please visit https://icann.org/epp'],
    links: [{ href: 'https://icann.org/epp', type: 'text/html' }],
  },
];

/** A Verisign-style `/domain/<NAME>` answer (dates are those of the real EXAMPLE.COM registration). */
export function verisignDomainAnswer(name: string): Json {
  const upper = name.toUpperCase();
  return {
    objectClassName: 'domain',
    handle: '2336799_DOMAIN_COM-VRSN',
    ldhName: upper,
    links: [{ value: `https://rdap.verisign.com/com/v1/domain/${upper}`, rel: 'self', href: `https://rdap.verisign.com/com/v1/domain/${upper}`, type: 'application/rdap+json' }],
    status: ['client delete prohibited', 'client transfer prohibited', 'client update prohibited'],
    entities: [
      {
        objectClassName: 'entity',
        handle: '376',
        roles: ['registrar'],
        publicIds: [{ type: 'IANA Registrar ID', identifier: '376' }],
        vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'RESERVED-Internet Assigned Numbers Authority']]],
        entities: [
          {
            objectClassName: 'entity',
            roles: ['abuse'],
            vcardArray: [
              'vcard',
              [
                ['version', {}, 'text', '4.0'],
                ['fn', {}, 'text', ''],
                ['tel', { type: 'voice' }, 'uri', 'tel:+1.3103015800'],
                ['email', {}, 'text', 'abuse@iana.org'],
              ],
            ],
          },
        ],
      },
      {
        objectClassName: 'entity',
        roles: ['registrant'],
        vcardArray: [
          'vcard',
          [
            ['version', {}, 'text', '4.0'],
            ['fn', {}, 'text', ''],
            ['org', {}, 'text', 'Internet Assigned Numbers Authority'],
            ['adr', { cc: 'US' }, 'text', ['', '', '', '', 'CA', '', '']],
          ],
        ],
      },
    ],
    events: [
      { eventAction: 'registration', eventDate: '1995-08-14T04:00:00Z' },
      { eventAction: 'expiration', eventDate: '2026-08-13T04:00:00Z' },
      { eventAction: 'last changed', eventDate: '2025-08-14T07:01:39Z' },
      { eventAction: 'last update of RDAP database', eventDate: '2026-01-15T11:52:16Z' },
    ],
    secureDNS: { delegationSigned: true, dsData: [{ keyTag: 370, algorithm: 13, digestType: 2, digest: 'BE74359954660069D5C63D200C39F5603827D7DD02B56F120EE9F3A86764247C' }] },
    nameservers: [
      { objectClassName: 'nameserver', ldhName: 'A.IANA-SERVERS.NET' },
      { objectClassName: 'nameserver', ldhName: 'B.IANA-SERVERS.NET' },
    ],
    rdapConformance: ['rdap_level_0', 'icann_rdap_technical_implementation_guide_0', 'icann_rdap_response_profile_0'],
    notices: NOTICES,
  };
}

/** An ARIN-style `/ip/...` answer for Google's 8.8.8.0/24. */
export function arinNetworkAnswer(): Json {
  return {
    rdapConformance: ['nro_rdap_profile_0', 'rdap_level_0', 'cidr0', 'arin_originas0'],
    notices: [
      { title: 'Terms of Service', description: ['By using the ARIN RDAP/Whois service, you are agreeing to the RDAP/Whois Terms of Use'], links: [{ href: 'https://www.arin.net/resources/registry/whois/tou/', rel: 'terms-of-service', type: 'text/html' }] },
    ],
    handle: 'NET-8-8-8-0-2',
    startAddress: '8.8.8.0',
    endAddress: '8.8.8.255',
    ipVersion: 'v4',
    name: 'GOGL',
    type: 'DIRECT ALLOCATION',
    parentHandle: 'NET-8-0-0-0-0',
    objectClassName: 'ip network',
    port43: 'whois.arin.net',
    status: ['active'],
    cidr0_cidrs: [{ v4prefix: '8.8.8.0', length: 24 }],
    arin_originas0_originautnums: [15169],
    events: [
      { eventAction: 'last changed', eventDate: '2023-12-28T17:24:56-05:00' },
      { eventAction: 'registration', eventDate: '2023-12-28T17:24:33-05:00' },
    ],
    entities: [
      {
        handle: 'GOGL',
        objectClassName: 'entity',
        roles: ['registrant'],
        port43: 'whois.arin.net',
        vcardArray: [
          'vcard',
          [
            ['version', {}, 'text', '4.0'],
            ['fn', {}, 'text', 'Google LLC'],
            ['adr', { label: '1600 Amphitheatre Parkway\nMountain View\nCA\n94043\nUnited States' }, 'text', ['', '', '', '', '', '', '']],
            ['kind', {}, 'text', 'org'],
          ],
        ],
        events: [
          { eventAction: 'last changed', eventDate: '2019-10-31T15:45:45-04:00' },
          { eventAction: 'registration', eventDate: '2000-03-30T00:00:00-05:00' },
        ],
        entities: [
          {
            handle: 'ABUSE5250-ARIN',
            objectClassName: 'entity',
            roles: ['abuse'],
            status: ['validated'],
            vcardArray: [
              'vcard',
              [
                ['version', {}, 'text', '4.0'],
                ['fn', {}, 'text', 'Abuse'],
                ['kind', {}, 'text', 'group'],
                ['email', {}, 'text', 'network-abuse@google.com'],
                ['tel', { type: ['work', 'voice'] }, 'text', '+1-650-253-0000'],
              ],
            ],
          },
        ],
      },
    ],
  };
}

/** A RIPE-style IPv6 network answer (RIPE gives `country`, and no cidr0). */
export function ripeNetworkAnswer(): Json {
  return {
    objectClassName: 'ip network',
    handle: '2a00:1450::/32',
    startAddress: '2a00:1450::',
    endAddress: '2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff',
    ipVersion: 'v6',
    name: 'DE-GOOGLE-20090604',
    type: 'ALLOCATED-BY-RIR',
    country: 'IE',
    port43: 'whois.ripe.net',
    rdapConformance: ['nro_rdap_profile_0', 'cidr0', 'rdap_level_0'],
    events: [
      { eventAction: 'registration', eventDate: '2009-06-04T13:52:41Z' },
      { eventAction: 'last changed', eventDate: '2022-09-06T10:46:22Z' },
    ],
  };
}

function contains(network: Json, address: string): boolean {
  const start = network.startAddress;
  const end = network.endAddress;
  if (typeof start !== 'string' || typeof end !== 'string' || !ipaddr.isValid(address)) return false;
  const value = (ip: string) => ipaddr.parse(ip).toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const kind = ipaddr.parse(address).kind();
  if (ipaddr.parse(start).kind() !== kind) return false;
  const v = value(address);
  return v >= value(start) && v <= value(end);
}

function send(res: http.ServerResponse, status: number, body: Json): void {
  res.writeHead(status, { 'content-type': 'application/rdap+json' });
  res.end(JSON.stringify(body));
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startRdapServer(options: RdapServerOptions = {}): Promise<TestRdapServer> {
  const domains = options.domains ?? {
    'example.com': verisignDomainAnswer('example.com'),
    'assay-test.com': verisignDomainAnswer('assay-test.com'),
  };
  const networks = options.networks ?? [arinNetworkAnswer(), ripeNetworkAnswer()];
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    requests.push(path);
    const domain = /^\/domain\/(.+)$/.exec(path)?.[1]?.toLowerCase();
    const ip = /^\/ip\/(.+)$/.exec(path)?.[1];
    const answer = domain ? domains[domain] : ip ? networks.find((n) => contains(n, ip)) : undefined;
    if (answer) send(res, 200, answer);
    else send(res, 404, { errorCode: 404, title: 'Not Found', description: [`${path} is not here`] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
