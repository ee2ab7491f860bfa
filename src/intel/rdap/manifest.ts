/** What the RDAP intel source declares: domains and IPs, network needed. */
import type { PluginManifest } from '../../core/plugin.js';

export const rdapManifest: PluginManifest = {
  name: 'rdap',
  version: '0.1.0',
  description: 'WHOIS of domains and IP networks over RDAP, servers found through the IANA bootstrap registries',
  accepts: { kinds: ['domain', 'ip'] },
  timeoutMs: 20_000,
  needsNetwork: true,
};
