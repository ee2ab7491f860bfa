/**
 * The `script` analyzer: language, decoded layers and behaviour signals of PowerShell, JavaScript,
 * VBScript, batch, HTA, shell and Python files, under the attribute `assay_script`.
 */
// VirusTotal's file object has no attribute for de-obfuscated script layers or script signals (its
// script data is sandbox behaviour and crowdsourced IDS/YARA results), so this output is under an
// Assay-namespaced key rather than a VT name: clients that only know VT's schema ignore it.
import { open } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { decideLanguage, type LanguageDecision } from './script-language.js';
import { decodedLayers, DEFAULT_LAYER_LIMITS, type DecodedLayer, type LayerLimits } from './script-layers.js';
import { findSignals, type ScriptSignal } from './script-signals.js';

/** The attribute key this analyzer fills. */
export const SCRIPT_ATTRIBUTE = 'assay_script';
/** Only the start of a larger script is read: obfuscated loaders are small, and limits keep regex work bounded. */
export const MAX_SCRIPT_BYTES = 4 * 1024 * 1024;
/** Layer text kept in the stored attribute; the full text is offered through decodedLayers(). */
const STORED_LAYER_CHARS = 4096;

/** VT type tags this analyzer takes: scripts, plus HTML (HTA) and text (scripts Magika calls text). */
export const SCRIPT_TYPE_TAGS = ['powershell', 'javascript', 'vba', 'batch', 'shell', 'python', 'html', 'text'];

export interface ScriptAnalysis {
  language: LanguageDecision;
  layers: DecodedLayer[];
  signals: ScriptSignal[];
  /** Bytes of the file that were read (less than its size when it exceeds MAX_SCRIPT_BYTES). */
  bytesRead: number;
}

/** Script bytes as text: UTF-16 with a BOM (PowerShell ISE saves so), else UTF-8 (latin1 when not UTF-8). */
export function scriptText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  // swap16 refuses an odd length: a stray last byte of a UTF-16BE file is dropped, as utf16le drops its own.
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  const utf8 = bytes.toString('utf8');
  return utf8.includes('\ufffd') ? bytes.toString('latin1') : utf8.replace(/^\ufeff/, '');
}

export function analyzeScriptText(
  text: string, typeTag: string | undefined, names: readonly string[], limits: LayerLimits = DEFAULT_LAYER_LIMITS,
): Omit<ScriptAnalysis, 'bytesRead'> {
  const language = decideLanguage(text, typeTag, names);
  const layers = decodedLayers(text, limits);
  const signals = findSignals([{ depth: 0, text }, ...layers.map((l) => ({ depth: l.depth, text: l.text }))]);
  return { language, layers, signals };
}

export async function readScriptHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(MAX_SCRIPT_BYTES);
    const { bytesRead } = await handle.read(buf, 0, MAX_SCRIPT_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The decoded layers of a file, for the pipeline to offer as child files for re-analysis. */
export async function fileDecodedLayers(path: string, limits: LayerLimits = DEFAULT_LAYER_LIMITS): Promise<DecodedLayer[]> {
  return decodedLayers(scriptText(await readScriptHead(path)), limits);
}

export function scriptAttribute(analysis: ScriptAnalysis, fileSize: number): Record<string, unknown> {
  return {
    language: analysis.language.language,
    language_source: analysis.language.source,
    truncated_input: analysis.bytesRead < fileSize,
    layers: analysis.layers.map((l) => ({
      depth: l.depth,
      encoding: l.encoding,
      parent: l.parent,
      size: l.text.length,
      text: l.text.slice(0, STORED_LAYER_CHARS),
      text_truncated: l.text.length > STORED_LAYER_CHARS,
    })),
    max_depth: analysis.layers.reduce((m, l) => Math.max(m, l.depth), 0),
    signals: analysis.signals,
  };
}

export interface ScriptAnalyzerOptions {
  logger: Logger;
  limits?: LayerLimits;
}

export function createScriptAnalyzer(options: ScriptAnalyzerOptions): Analyzer {
  const limits = options.limits ?? DEFAULT_LAYER_LIMITS;
  let readiness: Readiness = { ready: false, detail: 'not started' };
  const manifest: PluginManifest = {
    name: 'script',
    version: '1.0.0',
    description: 'script language, de-obfuscated layers (base64, -EncodedCommand, char codes, concatenation, escapes, gzip) and behaviour signals',
    accepts: { kinds: ['file'], typeTags: SCRIPT_TYPE_TAGS },
    timeoutMs: 20_000,
    needsNetwork: false,
  };
  return {
    manifest,
    async start() {
      readiness = { ready: true, detail: `in-process; up to ${limits.maxDepth} layers deep, ${limits.maxLayers} layers`, engineVersion: manifest.version };
      return readiness;
    },
    status: () => readiness,
    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      if (!readiness.ready) throw new PluginError('not_ready', readiness.detail ?? 'script analyzer not started');
      if (signal.aborted) throw signal.reason;
      const head = await readScriptHead(input.path).catch((err: Error) => {
        throw new PluginError('file_unreadable', err.message);
      });
      const analysis = { ...analyzeScriptText(scriptText(head), input.typeTag, input.names, limits), bytesRead: head.length };
      if (analysis.language.language === 'unknown' && analysis.layers.length === 0 && analysis.signals.length === 0) return { attributes: {} };
      options.logger.debug({ sha256: input.sha256, layers: analysis.layers.length, signals: analysis.signals.length }, 'script analysed');
      return { attributes: { [SCRIPT_ATTRIBUTE]: scriptAttribute(analysis, Math.max(input.size, head.length)) } };
    },
    async close() {
      readiness = { ready: false, detail: 'closed' };
    },
  };
}
