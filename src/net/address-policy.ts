/** Which IP addresses the URL fetcher may connect to: public unicast only, unless a lab allow-lists a network. */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Address, number];

interface Range {
  network: Network;
  reason: string;
}

/** An IPv6 range that carries IPv4 addresses; it is judged by what it carries. */
interface Embedding {
  network: Network;
  name: string;
  carried(bytes: number[]): ipaddr.IPv4[];
}

const cidr = (text: string): Network => ipaddr.parseCIDR(text);
const ranges = (reason: string, ...networks: string[]): Range[] => networks.map((text) => ({ network: cidr(text), reason }));

// First match wins: metadata addresses sit inside link-local, CGNAT and ULA ranges and get their own reason.
const IPV4_REFUSED: Range[] = [
  ...ranges('metadata', '169.254.169.254/32', '100.100.100.200/32'),
  ...ranges('unspecified', '0.0.0.0/8'),
  ...ranges('loopback', '127.0.0.0/8'),
  ...ranges('private', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'),
  ...ranges('cgnat', '100.64.0.0/10'),
  ...ranges('link-local', '169.254.0.0/16'),
  ...ranges('multicast', '224.0.0.0/4'),
  ...ranges('broadcast', '255.255.255.255/32'),
  ...ranges('reserved', '240.0.0.0/4'),
  ...ranges('documentation', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'),
  ...ranges('benchmarking', '198.18.0.0/15'),
  ...ranges('ietf-protocol-assignments', '192.0.0.0/24'),
];

const IPV6_REFUSED_FIRST: Range[] = [
  ...ranges('metadata', 'fd00:ec2::254/128'),
  ...ranges('unspecified', '::/128'),
  ...ranges('loopback', '::1/128'),
];

const IPV6_REFUSED: Range[] = [
  ...ranges('discard', '100::/64'),
  ...ranges('documentation', '2001:db8::/32', '3fff::/20'),
  ...ranges('benchmarking', '2001:2::/48'),
  ...ranges('link-local', 'fe80::/10'),
  ...ranges('site-local', 'fec0::/10'),
  ...ranges('unique-local', 'fc00::/7'),
  ...ranges('multicast', 'ff00::/8'),
];

/** Everything outside 2000::/3 is unassigned or special; refusing it keeps new special ranges out by default. */
const IPV6_GLOBAL_UNICAST = cidr('2000::/3');

const ipv4At = (bytes: number[], positions: number[], mask = 0): ipaddr.IPv4 =>
  new ipaddr.IPv4(positions.map((position) => (bytes[position]! ^ mask) & 0xff));
const LAST_32_BITS = [12, 13, 14, 15];

// RFC 6052 places the IPv4 address by prefix length, skipping byte 8; a local-use NAT64 prefix (RFC 8215) may use any
// length from /48 up, so every placement it allows is judged.
const NAT64_LOCAL_PLACEMENTS = [
  [6, 7, 9, 10],
  [7, 9, 10, 11],
  [9, 10, 11, 12],
  LAST_32_BITS,
];

// ::/96 also holds :: and ::1, which IPV6_REFUSED_FIRST judges before this list is reached.
const EMBEDDINGS: Embedding[] = [
  { network: cidr('::ffff:0:0/96'), name: 'ipv4-mapped', carried: (b) => [ipv4At(b, LAST_32_BITS)] },
  { network: cidr('::ffff:0:0:0/96'), name: 'ipv4-translated', carried: (b) => [ipv4At(b, LAST_32_BITS)] },
  { network: cidr('::/96'), name: 'ipv4-compatible', carried: (b) => [ipv4At(b, LAST_32_BITS)] },
  { network: cidr('64:ff9b::/96'), name: 'nat64', carried: (b) => [ipv4At(b, LAST_32_BITS)] },
  { network: cidr('64:ff9b:1::/48'), name: 'nat64', carried: (b) => NAT64_LOCAL_PLACEMENTS.map((p) => ipv4At(b, p)) },
  { network: cidr('2002::/16'), name: '6to4', carried: (b) => [ipv4At(b, [2, 3, 4, 5])] },
  // Teredo: the server address in clear, the client address with every bit flipped.
  { network: cidr('2001::/32'), name: 'teredo', carried: (b) => [ipv4At(b, [4, 5, 6, 7]), ipv4At(b, LAST_32_BITS, 0xff)] },
];

const inNetwork = (address: Address, [base, bits]: Network): boolean =>
  address.kind() === base.kind() && address.match(base, bits);

function refusalOfIpv4(address: ipaddr.IPv4): string | undefined {
  return IPV4_REFUSED.find((range) => inNetwork(address, range.network))?.reason;
}

function refusalOfIpv6(address: ipaddr.IPv6): string | undefined {
  const first = IPV6_REFUSED_FIRST.find((range) => inNetwork(address, range.network));
  if (first) return first.reason;
  const embedding = EMBEDDINGS.find((e) => inNetwork(address, e.network));
  if (embedding) {
    for (const carried of embedding.carried(address.toByteArray())) {
      const reason = refusalOfIpv4(carried);
      if (reason !== undefined) return `${reason} via ${embedding.name} ${carried.toString()}`;
    }
    return undefined;
  }
  const refused = IPV6_REFUSED.find((range) => inNetwork(address, range.network));
  if (refused) return refused.reason;
  return inNetwork(address, IPV6_GLOBAL_UNICAST) ? undefined : 'reserved';
}

// ipaddr.js reads `::a.b.c.d` as IPv4-mapped; the WHATWG parser's all-hex form leaves it no room for that mistake.
const hexIpv6 = (text: string): ipaddr.IPv6 => ipaddr.IPv6.parse(new URL(`http://[${text}]/`).hostname.slice(1, -1));

/** Only the plain textual forms (dotted decimal, RFC 4291 IPv6); odd encodings are the URL parser's job, not ours. */
function parseAddress(text: string): Address | undefined {
  const family = isIP(text);
  if (family === 4) return ipaddr.IPv4.parse(text);
  // A zone index says which interface, not which address; the range is what is judged.
  if (family === 6) return hexIpv6(text.split('%')[0]!);
  return undefined;
}

function parseNetwork(text: string): Network {
  const entry = text.trim();
  const withLength = entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`;
  const isIpv6 = entry.includes(':') && !entry.includes('%') && ipaddr.IPv6.isValidCIDR(withLength);
  const strict = isIpv6 || ipaddr.IPv4.isValidCIDRFourPartDecimal(withLength);
  if (!strict) throw new Error(`not a network: "${entry}" (expected a CIDR such as 10.0.0.0/8 or fd00::/8)`);
  const [base, bits] = cidr(withLength);
  return [base.kind() === 'ipv6' ? hexIpv6(withLength.split('/')[0]!) : base, bits];
}

const networkText = ([base, bits]: Network): string => `${base.toString()}/${bits}`;

/** Parses a comma-separated list of CIDRs (a bare address means just that address); throws on the first bad entry. */
export function parseAllowList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => networkText(parseNetwork(entry)));
}

export class AddressPolicy {
  readonly #allow: Network[];

  constructor(options: { allow?: string[] } = {}) {
    this.#allow = (options.allow ?? []).map(parseNetwork);
  }

  check(ip: string): PolicyDecision {
    const address = parseAddress(ip);
    if (address === undefined) return { allowed: false, reason: `not an IP address: ${JSON.stringify(ip)}` };
    const reason = address.kind() === 'ipv4' ? refusalOfIpv4(address as ipaddr.IPv4) : refusalOfIpv6(address as ipaddr.IPv6);
    if (reason === undefined || this.#isAllowListed(address)) return { allowed: true };
    return { allowed: false, reason };
  }

  #isAllowListed(address: Address): boolean {
    // An IPv4-mapped address reaches the very IPv4 host it carries, so an IPv4 entry covers it too.
    const same =
      address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
        ? [address, (address as ipaddr.IPv6).toIPv4Address()]
        : [address];
    return this.#allow.some((network) => same.some((candidate) => inNetwork(candidate, network)));
  }
}
