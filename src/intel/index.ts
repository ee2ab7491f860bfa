/** Public surface of the intel sources for domains and IPs (dns, rdap, tls, geo). */
export * from './dns/index.js';
export * from './geo/index.js';
export * from './rdap/index.js';
export * from './tls/index.js';
