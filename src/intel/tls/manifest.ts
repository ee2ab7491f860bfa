/** What the TLS intel source declares: domains and IPs, network needed. */
import type { PluginManifest } from '../../core/plugin.js';

export const tlsManifest: PluginManifest = {
  name: 'tls',
  version: '0.1.0',
  description: "The HTTPS certificate a domain or IP serves, as VT's last_https_certificate (no JARM)",
  accepts: { kinds: ['domain', 'ip'] },
  timeoutMs: 15_000,
  needsNetwork: true,
};
