/** A loopback authoritative DNS server over UDP (dns-packet) serving a fixed zone, counting the queries it gets. */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

/** Zone records in VT's `last_dns_records` shape, so tests can compare what a resolver reports with what was served. */
export type ZoneRecord =
  | { type: 'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR'; value: string; ttl?: number }
  | { type: 'MX'; value: string; priority: number; ttl?: number }
  | {
      type: 'SOA';
      value: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
      ttl?: number;
    }
  | { type: 'TXT'; value: string | string[]; ttl?: number }
  | { type: 'CAA'; value: string; tag: 'issue' | 'issuewild' | 'iodef'; flag?: number; ttl?: number };

/** Owner name (lower case, no trailing dot) to its records. */
export type Zone = Record<string, ZoneRecord[]>;

export interface TestDnsServer {
  address: '127.0.0.1';
  port: number;
  /** `127.0.0.1:port`, as resolvers are configured. */
  server: string;
  /** Every question received, in order (retries included). */
  queries: Array<{ name: string; type: string }>;
  close(): Promise<void>;
}

const DEFAULT_TTL = 300;
const NXDOMAIN = 3;
/** Bounds CNAME chains inside the zone, like a resolver's own limit. */
const MAX_CNAME_HOPS = 8;

function toAnswer(name: string, record: ZoneRecord): dnsPacket.Answer {
  const ttl = record.ttl ?? DEFAULT_TTL;
  switch (record.type) {
    case 'MX':
      return { type: 'MX', name, ttl, data: { preference: record.priority, exchange: record.value } };
    case 'SOA':
      return {
        type: 'SOA',
        name,
        ttl,
        data: {
          mname: record.value,
          rname: record.rname,
          serial: record.serial,
          refresh: record.refresh,
          retry: record.retry,
          expire: record.expire,
          minimum: record.minimum,
        },
      };
    case 'TXT':
      return { type: 'TXT', name, ttl, data: record.value };
    case 'CAA':
      return { type: 'CAA', name, ttl, data: { flags: record.flag ?? 0, tag: record.tag, value: record.value } };
    default:
      return { type: record.type, name, ttl, data: record.value };
  }
}

/** The SOA of the closest enclosing zone, for the authority section of negative answers. */
function enclosingSoa(zone: Zone, name: string): dnsPacket.Answer[] {
  const labels = name.split('.');
  for (let i = 0; i < labels.length; i++) {
    const owner = labels.slice(i).join('.');
    const soa = zone[owner]?.find((r) => r.type === 'SOA');
    if (soa) return [toAnswer(owner, soa)];
  }
  return [];
}

function answer(zone: Zone, query: dnsPacket.DecodedPacket): Buffer {
  const question = query.questions?.[0];
  const response: dnsPacket.Packet = {
    type: 'response',
    id: query.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_AVAILABLE | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
    questions: query.questions,
    answers: [],
    authorities: [],
  };
  if (!question) return dnsPacket.encode(response);
  const wanted = question.name.toLowerCase().replace(/\.$/, '');
  if (!zone[wanted]) {
    response.flags = (response.flags ?? 0) | NXDOMAIN;
    response.authorities = enclosingSoa(zone, wanted);
    return dnsPacket.encode(response);
  }
  // Like a recursive resolver: follow CNAMEs inside the zone and answer with the whole chain.
  let owner = wanted;
  let ownerAsAsked = question.name;
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const records = zone[owner] ?? [];
    const matching = records.filter((r) => r.type === question.type);
    if (matching.length > 0) {
      response.answers!.push(...matching.map((r) => toAnswer(ownerAsAsked, r)));
      break;
    }
    const cname = records.find((r) => r.type === 'CNAME');
    if (!cname || question.type === 'CNAME' || typeof cname.value !== 'string') break;
    response.answers!.push(toAnswer(ownerAsAsked, cname));
    owner = cname.value.toLowerCase();
    ownerAsAsked = cname.value;
  }
  if (response.answers!.length === 0) response.authorities = enclosingSoa(zone, wanted);
  return dnsPacket.encode(response);
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startDnsServer(zone: Zone): Promise<TestDnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: TestDnsServer['queries'] = [];
  socket.on('message', (message, remote) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    for (const q of query.questions ?? []) queries.push({ name: q.name.toLowerCase(), type: q.type });
    socket.send(answer(zone, query), remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const { port } = socket.address();
  return {
    address: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
