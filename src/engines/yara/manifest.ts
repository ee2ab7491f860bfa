/** What the YARA engine declares to the pipeline: name, limits, deadline. */
import type { PluginManifest } from '../../core/plugin.js';

/** Default limit; `assay serve` raises it to the upload limit. Scans map the file rather than read it into memory. */
export const YARA_MAX_BYTES = 200 * 1024 * 1024;

export function yaraManifest(maxBytes = YARA_MAX_BYTES): PluginManifest {
  return {
    name: 'YARA',
    version: '0.1.0',
    description: 'YARA-X rules: Assay starter rules (rules/yara) plus the user rules in <data>/rules',
    accepts: { kinds: ['file'], maxBytes },
    timeoutMs: 60_000,
    needsNetwork: false,
  };
}
