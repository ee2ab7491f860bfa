/**
 * `assay intel refresh`: replaces the IANA RDAP bootstrap registries kept in the data directory
 * (`<dataDir>/registries/rdap`), all four files or none, and says how recent each one is. The
 * download itself is the RDAP source's (intel/rdap), handed in by bootstrap/.
 */
import path from 'node:path';

/** Where the RDAP bootstrap registries come from, and how they are downloaded. */
export interface RdapRegistrySource {
  /** The registries, in the order they are reported (`dns`, `ipv4`, `ipv6`, `asn`). */
  registries: readonly string[];
  /** IANA's base URL. */
  defaultBaseUrl: string;
  /** Replaces every registry in `dir` from `baseUrl`, all or none; each one's publication date (ISO 8601) or `unknown`. */
  download(dir: string, baseUrl: string, signal?: AbortSignal): Promise<Record<string, string>>;
}

export interface RefreshIntelOptions {
  dataDir: string;
  source: RdapRegistrySource;
  /** Where the four files are served (`dns.json`, `ipv4.json`, `ipv6.json`, `asn.json`); default IANA's. */
  baseUrl?: string;
  signal?: AbortSignal;
}

export interface RefreshIntelResult {
  /** The directory the registries were written to. */
  dir: string;
  baseUrl: string;
  /** Each registry's own publication date (ISO 8601), or `unknown`. */
  publications: Record<string, string>;
}

/** Where the refreshed registries live; RDAP lookups should prefer it over the snapshot shipped with Assay. */
export const rdapRegistryDir = (dataDir: string): string => path.join(dataDir, 'registries', 'rdap');

export async function refreshIntelRegistries(options: RefreshIntelOptions): Promise<RefreshIntelResult> {
  const dir = rdapRegistryDir(options.dataDir);
  // The files are resolved against the base, so `http://mirror/rdap` must mean the rdap folder.
  const given = options.baseUrl ?? options.source.defaultBaseUrl;
  const baseUrl = given.endsWith('/') ? given : `${given}/`;
  const publications = await options.source.download(dir, baseUrl, options.signal);
  return { dir, baseUrl, publications };
}
