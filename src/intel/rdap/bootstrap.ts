/**
 * IANA's RDAP bootstrap registries (RFC 9224: dns.json, ipv4.json, ipv6.json, asn.json): which
 * RDAP server answers for a TLD, an address block or an AS number.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ipaddr from 'ipaddr.js';

export const BOOTSTRAP_FILES = ['dns', 'ipv4', 'ipv6', 'asn'] as const;
export type BootstrapRegistry = (typeof BOOTSTRAP_FILES)[number];

/** One registry file as published: `services` is a list of `[entries, urls]`. */
export interface BootstrapFile {
  description?: string;
  publication?: string;
  version?: string;
  services: Array<[string[], string[]]>;
}

/** Far above IANA's files (a few hundred services, ~1,500 TLDs); a bound against a hostile mirror. */
const MAX_SERVICES = 10_000;
const MAX_ENTRIES = 100_000;

/** Checks the RFC 9224 shape; throws with what is wrong. */
export function parseBootstrapFile(value: unknown, name: string): BootstrapFile {
  const file = value as Partial<BootstrapFile> | null;
  if (!file || typeof file !== 'object' || !Array.isArray(file.services)) throw new Error(`${name}: no services array`);
  if (file.services.length > MAX_SERVICES) throw new Error(`${name}: too many services`);
  let entries = 0;
  for (const service of file.services) {
    const [keys, urls] = Array.isArray(service) ? service : [];
    const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
    if (!strings(keys) || !strings(urls)) throw new Error(`${name}: a service is not [entries, urls]`);
    entries += (keys as string[]).length;
  }
  if (entries > MAX_ENTRIES) throw new Error(`${name}: too many entries`);
  return file as BootstrapFile;
}

/** HTTPS when the registry offers it (it lists http and https variants of most servers). */
function preferredUrl(urls: string[]): string | undefined {
  return urls.find((u) => u.startsWith('https://')) ?? urls[0];
}

interface IpService {
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  url: string;
}

export class RdapBootstrap {
  private constructor(
    private readonly files: Partial<Record<BootstrapRegistry, BootstrapFile>>,
    private readonly domains: Map<string, string>,
    private readonly ipServices: IpService[],
    private readonly asnRanges: Array<{ first: number; last: number; url: string }>,
  ) {}

  /** Reads the four registry files of `dir`; a missing file leaves that kind of lookup empty. */
  static async load(dir: string): Promise<RdapBootstrap> {
    const files: Partial<Record<BootstrapRegistry, BootstrapFile>> = {};
    for (const registry of BOOTSTRAP_FILES) {
      const file = path.join(dir, `${registry}.json`);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      files[registry] = parseBootstrapFile(JSON.parse(text), file);
    }
    return RdapBootstrap.fromFiles(files);
  }

  static fromFiles(files: Partial<Record<BootstrapRegistry, BootstrapFile>>): RdapBootstrap {
    const domains = new Map<string, string>();
    for (const [keys, urls] of files.dns?.services ?? []) {
      const url = preferredUrl(urls);
      if (url) for (const key of keys) domains.set(key.toLowerCase().replace(/\.$/, ''), url);
    }
    const ipServices: IpService[] = [];
    for (const registry of ['ipv4', 'ipv6'] as const) {
      for (const [keys, urls] of files[registry]?.services ?? []) {
        const url = preferredUrl(urls);
        if (!url) continue;
        for (const key of keys) {
          try {
            ipServices.push({ range: ipaddr.parseCIDR(key), url });
          } catch {
            // An entry we cannot read only loses that block.
          }
        }
      }
    }
    // Longest prefix first, so the first containing block is the most specific one.
    ipServices.sort((a, b) => b.range[1] - a.range[1]);
    const asnRanges: Array<{ first: number; last: number; url: string }> = [];
    for (const [keys, urls] of files.asn?.services ?? []) {
      const url = preferredUrl(urls);
      if (!url) continue;
      for (const key of keys) {
        const [first, last = first] = key.split('-').map(Number);
        if (Number.isInteger(first) && Number.isInteger(last)) asnRanges.push({ first: first!, last: last!, url });
      }
    }
    return new RdapBootstrap(files, domains, ipServices, asnRanges);
  }

  /** Base URL of the server for a domain: the longest registered label suffix (normally the TLD). */
  domainServer(name: string): string | undefined {
    const labels = name.toLowerCase().replace(/\.$/, '').split('.');
    for (let i = 0; i < labels.length; i++) {
      const url = this.domains.get(labels.slice(i).join('.'));
      if (url) return url;
    }
    return undefined;
  }

  ipServer(address: string): string | undefined {
    if (!ipaddr.isValid(address)) return undefined;
    let ip = ipaddr.parse(address);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    return this.ipServices.find((s) => s.range[0].kind() === ip.kind() && ip.match(s.range))?.url;
  }

  asnServer(asn: number): string | undefined {
    return this.asnRanges.find((r) => asn >= r.first && asn <= r.last)?.url;
  }

  /** Publication date of each loaded file, for readiness. */
  publications(): Partial<Record<BootstrapRegistry, string>> {
    return Object.fromEntries(
      BOOTSTRAP_FILES.filter((r) => this.files[r]).map((r) => [r, this.files[r]!.publication ?? 'unknown']),
    ) as Partial<Record<BootstrapRegistry, string>>;
  }
}
