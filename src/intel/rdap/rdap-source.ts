/**
 * The RDAP intel source: WHOIS of a domain (its registrable domain, at its TLD's server) or of an
 * IP network (at its RIR), rendered as VT's `whois` text plus the dates and fields VT lifts out.
 */
import ipaddr from 'ipaddr.js';
import { getDomain } from 'tldts';
import { PluginError, type IntelResult, type IntelSource, type IntelTarget, type Readiness } from '../../core/plugin.js';
import { RdapBootstrap } from './bootstrap.js';
import { ResponseTooLargeError, type FetchJson } from './fetch-json.js';
import { withinJsonLimits } from './json-limits.js';
import { rdapManifest } from './manifest.js';
import { entitiesWithRole, entityName, eventDate, networkCidrs, rirName, text, texts, unixSeconds, type Json } from './rdap-object.js';
import { domainWhoisText, ipWhoisText } from './whois-text.js';

export interface RdapSourceOptions {
  /** Holds the IANA registry files dns.json, ipv4.json, ipv6.json, asn.json. */
  bootstrapDir: string;
  /** ASSAY_RDAP_URL: one server for every query (labs, tests), instead of the bootstrap's choice. */
  baseUrl?: string;
  /**
   * Resolves with the parsed body of a 2xx answer; throws for others with a numeric `status`
   * (e.g. HttpStatusError). Should bound the body (createFetchJson reads at most 1 MiB).
   */
  fetchJson: FetchJson;
  cacheTtlMs?: number;
  now?: () => number;
}

/** Registration data changes rarely; a day spares the registries (several rate-limit hard). */
const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60_000;
/** Punycode host names only: anything else cannot be an RDAP domain query. */
const LDH_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

export class RdapSource implements IntelSource {
  readonly manifest = rdapManifest;
  readonly cacheTtlMs: number;
  private readonly options: RdapSourceOptions;
  private readonly now: () => number;
  private bootstrap?: RdapBootstrap;

  constructor(options: RdapSourceOptions) {
    this.options = options;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<Readiness> {
    try {
      this.bootstrap = await RdapBootstrap.load(this.options.bootstrapDir);
    } catch (err) {
      this.bootstrap = undefined;
      if (!this.options.baseUrl) {
        return { ready: false, detail: `bootstrap registries in ${this.options.bootstrapDir} unreadable: ${(err as Error).message}` };
      }
    }
    const publications = this.bootstrap?.publications() ?? {};
    const dated = Object.entries(publications).map(([r, date]) => `${r} ${date.slice(0, 10)}`);
    if (!this.options.baseUrl && !publications.dns && !publications.ipv4) {
      return { ready: false, detail: `no bootstrap registries in ${this.options.bootstrapDir} (run \`assay intel refresh\`)` };
    }
    const detail = this.options.baseUrl
      ? `every query to ${this.options.baseUrl}`
      : `IANA bootstrap registries: ${dated.join(', ')}`;
    const newest = Object.values(publications).sort().at(-1);
    return { ready: true, detail, signatureVersion: newest?.slice(0, 10).replaceAll('-', '') };
  }

  async close(): Promise<void> {}

  /** Re-reads the registry files (after `assay intel refresh`). */
  async reload(): Promise<Readiness> {
    return this.start();
  }

  async lookup(target: IntelTarget, signal: AbortSignal): Promise<IntelResult> {
    return target.kind === 'domain' ? this.lookupDomain(target.name, signal) : this.lookupIp(target.address, signal);
  }

  private async lookupDomain(name: string, signal: AbortSignal): Promise<IntelResult> {
    const lower = name.toLowerCase().replace(/\.$/, '');
    const registrable = getDomain(lower) ?? undefined;
    if (!registrable || !LDH_NAME.test(registrable)) {
      throw new PluginError('no-registrable-domain', `${name} has no registrable domain to ask RDAP about`);
    }
    const server = this.options.baseUrl ?? this.bootstrap?.domainServer(registrable);
    if (!server) throw new PluginError('no-rdap-server', `no RDAP server is registered for the TLD of ${registrable}`);
    const domain = await this.fetch(`${withSlash(server)}domain/${registrable}`, signal);
    if (!domain) return { attributes: {} };

    const registrar = entitiesWithRole(domain, 'registrar')[0];
    const attributes: Record<string, unknown> = {
      whois: domainWhoisText(domain, registrable),
      whois_date: Math.floor(this.now() / 1000),
    };
    const registrarName = registrar && entityName(registrar);
    if (registrarName) attributes.registrar = registrarName;
    setIfDefined(attributes, 'creation_date', unixSeconds(eventDate(domain, 'registration')));
    setIfDefined(attributes, 'expiration_date', unixSeconds(eventDate(domain, 'expiration')));
    setIfDefined(attributes, 'last_update_date', unixSeconds(eventDate(domain, 'last changed')));
    return { attributes };
  }

  private async lookupIp(address: string, signal: AbortSignal): Promise<IntelResult> {
    if (!ipaddr.isValid(address)) throw new PluginError('bad-address', `not an IP address: ${address}`);
    const canonical = ipaddr.parse(address).toString();
    const bootstrapServer = this.bootstrap?.ipServer(canonical);
    const server = this.options.baseUrl ?? bootstrapServer;
    if (!server) throw new PluginError('no-rdap-server', `no RDAP server is registered for ${canonical}`);
    const network = await this.fetch(`${withSlash(server)}ip/${canonical}`, signal);
    if (!network) return { attributes: {} };

    const attributes: Record<string, unknown> = {
      whois: ipWhoisText(network),
      whois_date: Math.floor(this.now() / 1000),
    };
    setIfDefined(attributes, 'network', networkCidrs(network)[0]);
    setIfDefined(
      attributes,
      'regional_internet_registry',
      rirName(bootstrapServer, text(network.port43), text(network.handle), ...texts(network.rdapConformance)),
    );
    const country = text(network.country);
    if (country) attributes.country = country.toUpperCase();
    return { attributes };
  }

  /** The answer object, or undefined when the registry says the name or address is not registered (404). */
  private async fetch(url: string, signal: AbortSignal): Promise<Json | undefined> {
    let body: unknown;
    try {
      body = await this.options.fetchJson(url, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof PluginError) throw err;
      if (err instanceof ResponseTooLargeError) throw new PluginError('rdap-too-large', err.message);
      const status = (err as { status?: unknown }).status;
      if (status === 404) return undefined;
      if (typeof status === 'number') {
        const retryable = status === 429 || status >= 500;
        throw new PluginError('rdap-http-error', `RDAP server answered ${status} for ${url}`, retryable);
      }
      throw new PluginError('rdap-unreachable', `RDAP query ${url} failed: ${(err as Error).message}`, true);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new PluginError('rdap-bad-answer', `RDAP answer from ${url} is not an object`);
    }
    if (!withinJsonLimits(body)) throw new PluginError('rdap-bad-answer', `RDAP answer from ${url} nests too deep or is too large`);
    return body as Json;
  }
}

function setIfDefined(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}
