/** What the YARA engine declares to the pipeline: name, limits, deadline. */
import type { PluginManifest } from '../../core/plugin.js';

/** The scan worker reads the whole file into memory; VT's Livehunt stops at 100 MB, we allow twice that. */
export const YARA_MAX_BYTES = 200 * 1024 * 1024;

export function yaraManifest(): PluginManifest {
  return {
    name: 'YARA',
    version: '0.1.0',
    description: 'YARA-X rules: Assay starter rules (rules/yara) plus the user rules in <data>/rules',
    accepts: { kinds: ['file'], maxBytes: YARA_MAX_BYTES },
    timeoutMs: 60_000,
    needsNetwork: false,
  };
}
