/** What the DNS intel source declares: domains only, network needed. */
import type { PluginManifest } from '../../core/plugin.js';

export const dnsManifest: PluginManifest = {
  name: 'dns',
  version: '0.1.0',
  description: "DNS records of a domain (A, AAAA, CNAME, MX, NS, SOA, TXT, CAA) as VT's last_dns_records, plus passive-DNS resolutions",
  accepts: { kinds: ['domain'] },
  timeoutMs: 15_000,
  needsNetwork: true,
};
