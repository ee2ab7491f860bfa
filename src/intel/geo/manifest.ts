/** What the geo intel source declares: IPs only, local databases, no network. */
import type { PluginManifest } from '../../core/plugin.js';

export const geoManifest: PluginManifest = {
  name: 'geo',
  version: '0.1.0',
  description: 'ASN, AS owner, country and continent of an IP address from local databases (ip-location-db, or MaxMind GeoLite2)',
  accepts: { kinds: ['ip'] },
  timeoutMs: 10_000,
  needsNetwork: false,
};
