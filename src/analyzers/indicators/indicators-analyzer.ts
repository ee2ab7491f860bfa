/**
 * The `indicators` analyzer: URLs, domains and IPs embedded in a file's printable strings (ASCII and
 * UTF-16LE) and, for scripts, in their decoded layers. `fileIndicators()` gives the lists the
 * pipeline links as `embedded_urls`, `embedded_domains` and `embedded_ips`; the attribute holds counts.
 */
// Imports the script analyzer's decoder (a sibling plugin, no infrastructure) so that a URL hidden
// under base64 or char codes is found without a second pass by the pipeline.
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { decodedLayers, SCRIPT_TYPE_TAGS, scriptText } from '../script/index.js';
import { DEFAULT_INDICATOR_LIMITS, extractIndicators, type IndicatorLimits, type Indicators } from './indicator-extract.js';
import { printableStrings } from './printable-strings.js';
import { readHead } from '../../runtime/read-head.js';

/** Only the first part of a large file is searched (strings of a 1 GB image add nothing but noise and time). */
export const MAX_INDICATOR_BYTES = 32 * 1024 * 1024;
/** The attribute key (Assay's, not VT's: VT exposes these only as relationships). */
export const INDICATOR_COUNTS_ATTRIBUTE = 'assay_embedded_indicators';

export interface FileIndicatorOptions {
  typeTag?: string;
  limits?: IndicatorLimits;
  maxBytes?: number;
}

/** URLs, domains and IPs embedded in a file, for the `embedded_*` relationships. */
export async function fileIndicators(path: string, options: FileIndicatorOptions = {}): Promise<Indicators> {
  const bytes = await readHead(path, options.maxBytes ?? MAX_INDICATOR_BYTES);
  return bytesIndicators(bytes, options);
}

export function bytesIndicators(bytes: Buffer, options: FileIndicatorOptions = {}): Indicators {
  const limits = options.limits ?? DEFAULT_INDICATOR_LIMITS;
  const isText = options.typeTag !== undefined && SCRIPT_TYPE_TAGS.includes(options.typeTag);
  if (!isText) return extractIndicators(printableStrings(bytes), limits, 'strict');
  // Scripts and text: the text itself (lines keep their context), then every decoded layer.
  const text = scriptText(bytes);
  const texts = [...text.split('\n'), ...decodedLayers(text.slice(0, 4 * 1024 * 1024)).map((l) => l.text)];
  return extractIndicators(texts, limits, 'text');
}

export interface IndicatorsAnalyzerOptions {
  logger: Logger;
  limits?: IndicatorLimits;
}

export function createIndicatorsAnalyzer(options: IndicatorsAnalyzerOptions): Analyzer {
  let readiness: Readiness = { ready: false, detail: 'not started' };
  const manifest: PluginManifest = {
    name: 'indicators',
    version: '1.0.0',
    description: 'URLs, domains and IP addresses embedded in the file (strings, decoded script layers)',
    accepts: { kinds: ['file'] },
    timeoutMs: 30_000,
    needsNetwork: false,
  };
  return {
    manifest,
    async start() {
      readiness = { ready: true, detail: `in-process; first ${MAX_INDICATOR_BYTES / 2 ** 20} MiB of each file`, engineVersion: manifest.version };
      return readiness;
    },
    status: () => readiness,
    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      if (!readiness.ready) throw new PluginError('not_ready', readiness.detail ?? 'indicators analyzer not started');
      if (signal.aborted) throw signal.reason;
      const found = await fileIndicators(input.path, { typeTag: input.typeTag, limits: options.limits }).catch((err: Error) => {
        throw new PluginError('file_unreadable', err.message);
      });
      options.logger.debug({ sha256: input.sha256, urls: found.urls.length, domains: found.domains.length, ips: found.ips.length }, 'embedded indicators');
      return { attributes: { [INDICATOR_COUNTS_ATTRIBUTE]: { urls: found.urls.length, domains: found.domains.length, ips: found.ips.length } } };
    },
    async close() {
      readiness = { ready: false, detail: 'closed' };
    },
  };
}
