/** Public surface of the RDAP (WHOIS) intel source. */
export { BOOTSTRAP_FILES, RdapBootstrap, parseBootstrapFile, type BootstrapFile, type BootstrapRegistry } from './bootstrap.js';
export { bundledRdapBootstrapDir } from './bundled-bootstrap-dir.js';
export {
  HttpStatusError,
  RDAP_MAX_RESPONSE_BYTES,
  ResponseTooLargeError,
  createFetchJson,
  type FetchJson,
  type FetchJsonOptions,
} from './fetch-json.js';
export { rdapManifest } from './manifest.js';
export { RdapSource, type RdapSourceOptions } from './rdap-source.js';
export { IANA_RDAP_BASE_URL, refreshBootstrap, type RefreshBootstrapOptions } from './refresh-bootstrap.js';
