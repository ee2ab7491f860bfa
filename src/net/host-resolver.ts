/** Host name to addresses, through the system resolver or configured DNS servers; IP literals never reach DNS. */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type HostResolver = (host: string, signal: AbortSignal) => Promise<ResolvedAddress[]>;

/**
 * The host as a browser sees it: lower-case punycode for names, canonical text for IP literals (the WHATWG parser
 * turns `0x7f.1`, `2130706433` and `0177.0.0.1` into `127.0.0.1`), IPv6 without brackets. Throws on a bad host.
 */
export function canonicalHost(host: string): string {
  // Characters that would end the authority would let the parser read a different host than the caller meant.
  if (host === '' || /[\s/\\?#@]/.test(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let hostname: string;
  try {
    hostname = new URL(`http://${bracketed}/`).hostname;
  } catch {
    throw new Error(`not a host name: ${JSON.stringify(host)}`);
  }
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/** The address an IP-literal host names, or undefined for a DNS name. */
export function literalAddress(host: string): ResolvedAddress | undefined {
  const name = canonicalHost(host);
  const family = isIP(name);
  return family === 0 ? undefined : { address: name, family: family === 6 ? 6 : 4 };
}

function unique(addresses: ResolvedAddress[]): ResolvedAddress[] {
  const seen = new Set<string>();
  return addresses.filter(({ address }) => !seen.has(address) && seen.add(address));
}

/** getaddrinfo cannot be cancelled; the caller still gets its abort on time and the lookup finishes unheard. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The operating system's resolver (hosts file, nsswitch), as other programs on this machine see names. */
export function systemResolver(): HostResolver {
  return async (host, signal) => {
    const name = canonicalHost(host);
    const literal = literalAddress(name);
    if (literal) return [literal];
    const answers = await untilAborted(dns.lookup(name, { all: true, order: 'verbatim' }), signal);
    return unique(answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 })));
  };
}

export interface ServerResolverOptions {
  /** Per-query timeout of one try. */
  timeoutMs?: number;
  tries?: number;
}

/** Asks the given DNS servers (`ip`, `ip:port`, `[ipv6]:port`) for A and AAAA records, bypassing the hosts file. */
export function serverResolver(servers: string[], options: ServerResolverOptions = {}): HostResolver {
  const configure = () => {
    const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
    resolver.setServers(servers);
    return resolver;
  };
  configure(); // a bad server entry fails here, at start-up, not on the first URL
  return async (host, signal) => {
    const name = canonicalHost(host);
    const literal = literalAddress(name);
    if (literal) return [literal];
    signal.throwIfAborted();
    // One resolver per lookup: cancel() stops every query of a resolver, and others may be sharing it otherwise.
    const resolver = configure();
    const cancel = () => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
      signal.throwIfAborted();
      const addresses = unique([
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
      ]);
      if (addresses.length > 0) return addresses;
      const failure = v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : undefined;
      throw failure instanceof Error ? failure : new Error(`${name} has no A or AAAA record`);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  };
}
