/**
 * `assay intel refresh`: replaces the IANA RDAP bootstrap registries kept in the data directory
 * (`<dataDir>/registries/rdap`), all four files or none, and says how recent each one is.
 */
import path from 'node:path';
import { IANA_RDAP_BASE_URL, refreshBootstrap, type BootstrapRegistry, type FetchJson } from '../intel/index.js';

export interface RefreshIntelOptions {
  dataDir: string;
  fetchJson: FetchJson;
  /** Where the four files are served (`dns.json`, `ipv4.json`, `ipv6.json`, `asn.json`); default IANA's. */
  baseUrl?: string;
  signal?: AbortSignal;
}

export interface RefreshIntelResult {
  /** The directory the registries were written to. */
  dir: string;
  baseUrl: string;
  /** Each registry's own publication date (ISO 8601), or `unknown`. */
  publications: Record<BootstrapRegistry, string>;
}

/** Where the refreshed registries live; RDAP lookups should prefer it over the snapshot shipped with Assay. */
export const rdapRegistryDir = (dataDir: string): string => path.join(dataDir, 'registries', 'rdap');

export async function refreshIntelRegistries(options: RefreshIntelOptions): Promise<RefreshIntelResult> {
  const dir = rdapRegistryDir(options.dataDir);
  // The files are resolved against the base, so `http://mirror/rdap` must mean the rdap folder.
  const given = options.baseUrl ?? IANA_RDAP_BASE_URL;
  const baseUrl = given.endsWith('/') ? given : `${given}/`;
  const publications = await refreshBootstrap(dir, options.fetchJson, {
    baseUrl,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { dir, baseUrl, publications };
}
