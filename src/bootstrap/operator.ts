/**
 * What operator commands get without starting a server: the store-only services (accounts and
 * feeds, used with the operator principal) and the RDAP registry download for `assay intel refresh`.
 */
import type { RdapRegistrySource } from '../app/intel-refresh.js';
import { createStoreServices, type StoreServices } from '../app/store-services.js';
import type { Config } from '../config/config.js';
import { BOOTSTRAP_FILES, createFetchJson, IANA_RDAP_BASE_URL, refreshBootstrap } from '../intel/index.js';
import { openStore } from './container.js';

/** Opens (and migrates) the configured store and builds the store-only services over it. */
export async function openStoreServices(config: Config): Promise<{ services: StoreServices; close(): Promise<void> }> {
  const { store, close } = await openStore(config);
  return { services: createStoreServices({ store, now: Date.now, tiers: config.tiers }), close };
}

/** IANA's registries through the RDAP source's downloader; `maxBytes` bounds each file. */
export function rdapRegistrySource(options: { maxBytes?: number } = {}): RdapRegistrySource {
  const fetchJson = createFetchJson(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  return {
    registries: BOOTSTRAP_FILES,
    defaultBaseUrl: IANA_RDAP_BASE_URL,
    download: (dir, baseUrl, signal) => refreshBootstrap(dir, fetchJson, { baseUrl, ...(signal ? { signal } : {}) }),
  };
}
