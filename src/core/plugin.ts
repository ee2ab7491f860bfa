/**
 * Plugin contracts: engines (verdicts) and analyzers (attributes). Plugins see a narrow input and an
 * AbortSignal, never HTTP, storage or the queue; the pipeline owns timeouts and failure mapping.
 */
import type { VerdictCategory } from './verdict.js';

export type ItemKind = 'file' | 'url' | 'domain' | 'ip';

export interface PluginManifest {
  /** Engine name: the key in last_analysis_results. Analyzer name: shown in `assay engines`. */
  name: string;
  /** Version of our plugin code (engine and signature versions come from readiness). */
  version: string;
  description: string;
  accepts: {
    kinds: ItemKind[];
    /** Files larger than this are answered `type-unsupported` (engines) or skipped (analyzers). */
    maxBytes?: number;
    /** VT type tags (e.g. `peexe`, `text`) accepted; absent means every type. */
    typeTags?: string[];
  };
  /** Deadline for one scan; past it the pipeline records `timeout`. */
  timeoutMs: number;
  needsNetwork: boolean;
}

/** What a plugin reports at start-up and on `assay engines`. */
export interface Readiness {
  ready: boolean;
  /** Why it is not ready, or a note on how it runs (e.g. "using bundled test signatures"). */
  detail?: string;
  engineVersion?: string;
  /** Signature or rule-set version (a date, a database number or a content hash). */
  signatureVersion?: string;
  /** VT's engine_update (YYYYMMDD) for results the pipeline writes itself (failure, timeout, type-unsupported). */
  engineUpdate?: string;
}

/** The file as a plugin sees it: a read-only path on local disk plus known facts. */
export interface FileInput {
  path: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  names: readonly string[];
  /** VT type tag found by the filetype analyzer (e.g. `peexe`, `text`), when known. */
  typeTag?: string;
}

export interface EngineVerdict {
  category: Extract<VerdictCategory, 'malicious' | 'suspicious' | 'undetected' | 'harmless' | 'type-unsupported'>;
  /** Detection name, or null when nothing was found. */
  result: string | null;
  /** VT's `method`, e.g. `blacklist`, `signature`. */
  method: string;
  engineVersion: string;
  /** Signature date as YYYYMMDD, or a rule-set version. */
  engineUpdate: string;
  /** Extra file attributes this verdict contributes (e.g. crowdsourced_yara_results). */
  attributes?: Record<string, unknown>;
}

export interface Engine {
  readonly manifest: PluginManifest;
  /** Prepare (connect, compile rules); must not throw: a problem becomes a not-ready Readiness. */
  start(): Promise<Readiness>;
  status(): Readiness;
  scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict>;
  close(): Promise<void>;
}

export interface AnalyzerOutput {
  /** Attributes merged into the file object (e.g. `magic`, `magika`, `ssdeep`, `type_tag`). */
  attributes: Record<string, unknown>;
  tags?: string[];
}

export interface Analyzer {
  readonly manifest: PluginManifest;
  start(): Promise<Readiness>;
  status(): Readiness;
  analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput>;
  close(): Promise<void>;
}

/** Thrown by a plugin for a failure it can name; the pipeline records `failure` with this flag. */
export class PluginError extends Error {
  constructor(
    readonly flag: string,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'PluginError';
  }
}
