/** What the ClamAV engine declares to the pipeline: name, limits, deadline. */
import type { PluginManifest } from '../../core/plugin.js';
import { CLAMD_STREAM_MAX_BYTES } from './clamd-supervisor.js';

export function clamavManifest(maxBytes = CLAMD_STREAM_MAX_BYTES): PluginManifest {
  return {
    name: 'ClamAV',
    version: '0.1.0',
    description: 'ClamAV antivirus through clamd (INSTREAM); system signature databases, or Assay bundled test signatures',
    // The upload limit in `assay serve`: our clamd is configured for it (clamd-supervisor.ts).
    accepts: { kinds: ['file'], maxBytes },
    timeoutMs: 60_000,
    needsNetwork: false,
  };
}
