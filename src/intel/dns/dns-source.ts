/**
 * The DNS intel source: asks a resolver for every record type VT shows and renders `last_dns_records`.
 *
 * TTLs: Node's resolver (c-ares) reports a TTL only for A and AAAA (`{ ttl: true }`); for the
 * other types it returns the data alone, and `resolveAny` is no way out (it also gives TTLs for
 * A/AAAA only, and many resolvers refuse ANY, RFC 8482). So `ttl` is present on A and AAAA records
 * and absent on the others rather than made up.
 */
import { Resolver } from 'node:dns/promises';
import {
  PluginError,
  type IntelResult,
  type IntelSource,
  type IntelTarget,
  type ObservedResolution,
  type Readiness,
} from '../../core/plugin.js';
import { dnsManifest } from './manifest.js';

export interface DnsSourceOptions {
  /** Resolvers as `ip[:port]` (`[v6]:port` for IPv6 with a port); absent: the system's. */
  servers?: string[];
  /** Per-attempt timeout of one query. */
  queryTimeoutMs?: number;
  /** Attempts per query and server. */
  tries?: number;
  cacheTtlMs?: number;
  now?: () => number;
}

/** One entry of VT's `last_dns_records`. */
export interface DnsRecord {
  type: string;
  value: string;
  ttl?: number;
  priority?: number;
  rname?: string;
  serial?: number;
  refresh?: number;
  retry?: number;
  expire?: number;
  minimum?: number;
  flag?: number;
  tag?: string;
}

const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'SOA', 'TXT', 'CAA'] as const;
type RecordType = (typeof RECORD_TYPES)[number];

/** The name exists but has no record of the type, or does not exist: an empty answer, not a failure. */
const EMPTY_ANSWER_CODES = new Set(['ENODATA', 'ENOTFOUND']);
const DEFAULT_CACHE_TTL_MS = 60 * 60_000;

async function query(resolver: Resolver, name: string, type: RecordType): Promise<DnsRecord[]> {
  switch (type) {
    case 'A':
      return (await resolver.resolve4(name, { ttl: true })).map((r) => ({ type, value: r.address, ttl: r.ttl }));
    case 'AAAA':
      return (await resolver.resolve6(name, { ttl: true })).map((r) => ({ type, value: r.address, ttl: r.ttl }));
    case 'CNAME':
      return (await resolver.resolveCname(name)).map((value) => ({ type, value }));
    case 'MX':
      return (await resolver.resolveMx(name)).map((r) => ({ type, value: r.exchange, priority: r.priority }));
    case 'NS':
      return (await resolver.resolveNs(name)).map((value) => ({ type, value }));
    case 'SOA': {
      const soa = await resolver.resolveSoa(name);
      return [
        {
          type,
          value: soa.nsname,
          rname: soa.hostmaster,
          serial: soa.serial,
          refresh: soa.refresh,
          retry: soa.retry,
          expire: soa.expire,
          minimum: soa.minttl,
        },
      ];
    }
    case 'TXT':
      // A TXT record arrives as its 255-byte character-strings; VT shows them joined.
      return (await resolver.resolveTxt(name)).map((chunks) => ({ type, value: chunks.join('') }));
    case 'CAA':
      return (await resolver.resolveCaa(name)).flatMap((r) => {
        const tag = (['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone'] as const).find((t) => r[t] !== undefined);
        return tag ? [{ type, value: String(r[tag]), flag: r.critical, tag }] : [];
      });
  }
}

export class DnsSource implements IntelSource {
  readonly manifest = dnsManifest;
  readonly cacheTtlMs: number;
  private readonly servers: string[] | undefined;
  private readonly queryTimeoutMs: number;
  private readonly tries: number;
  private readonly now: () => number;

  constructor(options: DnsSourceOptions = {}) {
    this.servers = options.servers?.length ? [...options.servers] : undefined;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 2_500;
    this.tries = options.tries ?? 2;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<Readiness> {
    try {
      // setServers validates the addresses; a typo in ASSAY_DNS_SERVERS shows up at start-up.
      this.newResolver();
      return { ready: true, detail: `resolvers: ${this.resolverLabel()}` };
    } catch (err) {
      return { ready: false, detail: `bad resolver address: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {}

  async lookup(target: IntelTarget, signal: AbortSignal): Promise<IntelResult> {
    if (target.kind !== 'domain') throw new PluginError('type-unsupported', 'the dns source answers domains only');
    signal.throwIfAborted();
    const name = target.name;
    // One resolver per lookup, so cancelling on abort stops this lookup's queries only.
    const resolver = this.newResolver();
    const cancel = () => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    let settled: PromiseSettledResult<DnsRecord[]>[];
    try {
      settled = await Promise.allSettled(RECORD_TYPES.map((type) => query(resolver, name, type)));
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    signal.throwIfAborted();

    const records: DnsRecord[] = [];
    const failures: string[] = [];
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') records.push(...outcome.value);
      else {
        const code = (outcome.reason as NodeJS.ErrnoException)?.code ?? 'error';
        if (!EMPTY_ANSWER_CODES.has(code)) failures.push(`${RECORD_TYPES[i]}: ${code}`);
      }
    });
    if (failures.length === RECORD_TYPES.length) {
      throw new PluginError('dns-unavailable', `no DNS answer for ${name} from ${this.resolverLabel()} (${failures.join(', ')})`, true);
    }

    const resolverName = this.servers?.[0] ?? 'system';
    const resolutions: ObservedResolution[] = records
      .filter((r) => r.type === 'A' || r.type === 'AAAA')
      .map((r) => ({ hostName: name, ipAddress: r.value, resolver: resolverName }));
    return {
      attributes: { last_dns_records: records, last_dns_records_date: Math.floor(this.now() / 1000) },
      resolutions,
    };
  }

  private newResolver(): Resolver {
    const resolver = new Resolver({ timeout: this.queryTimeoutMs, tries: this.tries });
    if (this.servers) resolver.setServers(this.servers);
    return resolver;
  }

  private resolverLabel(): string {
    return this.servers?.join(', ') ?? 'system';
  }
}
