/** Public surface of the DNS intel source. */
export { DnsSource, type DnsRecord, type DnsSourceOptions } from './dns-source.js';
export { dnsManifest } from './manifest.js';
