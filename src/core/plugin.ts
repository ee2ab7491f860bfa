/**
 * Plugin contracts: the base `Plugin` lifecycle and one interface per kind (engines, analyzers, URL
 * engines, intel sources, page capturers). Plugins see a narrow input and an AbortSignal, never HTTP,
 * storage or the queue; the plugin host (pipeline/plugin-host.ts) owns readiness, deadlines and failure mapping.
 */
import type { VerdictCategory } from './verdict.js';

export type ItemKind = 'file' | 'url' | 'domain' | 'ip';

/** The kinds of plugin the host runs; a kind is a folder of `src/` and a group in /metadata. */
export type PluginKind =
  | 'engine'
  | 'analyzer'
  | 'unpacker'
  | 'url-engine'
  | 'page-capturer'
  | 'intel-source'
  // Reserved for kinds planned in issue 9 (detonation sandboxes, rule packs); nothing implements them yet.
  | 'sandbox'
  | 'rule-pack';

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
  /**
   * Not ready although configured to work (a supervised daemon restarting or failing to start):
   * the pipeline records `failure` instead of leaving the engine out, and /healthz says degraded.
   * Absent for a plugin that is simply unavailable (not installed, no rules).
   */
  down?: boolean;
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
  /**
   * Attributes the analyzers produced for this file (`pe_info`, `elf_info`, `pdf_info`, ...), given to
   * engines, which run after the analyzers: heuristic engines judge these facts instead of parsing again.
   */
  attributes?: Readonly<Record<string, unknown>>;
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

/**
 * What every plugin has. The host starts it once, keeps the Readiness start() gave, and stops
 * calling it after close(); a plugin implements `status()` only when its readiness changes while it
 * runs (a supervised daemon, a feed imported by another process).
 */
export interface Plugin {
  readonly manifest: PluginManifest;
  /** Prepare (connect, compile rules); should not throw: a problem becomes a not-ready Readiness (the host maps a throw the same way). */
  start(): Promise<Readiness>;
  /** Live readiness, for plugins whose readiness changes after start(). */
  status?(): Readiness;
  /** Release processes, threads and handles; idempotent. */
  close(): Promise<void>;
}

export interface Engine extends Plugin {
  scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict>;
}

export interface AnalyzerOutput {
  /** Attributes merged into the file object (e.g. `magic`, `magika`, `ssdeep`, `type_tag`). */
  attributes: Record<string, unknown>;
  tags?: string[];
}

export interface Analyzer extends Plugin {
  analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput>;
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

/** What the safe fetcher recorded about a URL's page, as URL engines see it (no HTTP client, no storage). */
export interface FetchedPage {
  finalUrl: string;
  statusCode: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Up to the fetcher's byte limit; decoded as UTF-8 (latin1 when not valid UTF-8). */
  bodyText?: string;
  /** sha256 of the body bytes received, when a body was received. */
  bodySha256?: string;
  /** Verdicts the file engines gave the body (stored and analysed as a file), when known. */
  bodyVerdicts?: ReadonlyArray<{ engine: string; category: string; result: string | null }>;
}

/** A URL as a URL engine sees it. */
export interface UrlInput {
  /** As submitted. */
  url: string;
  /** Canonical form (core/url-canonical.ts); its sha256 is the URL's id. */
  canonicalUrl: string;
  /** Lower-case, punycode host (no brackets for IPv6). */
  host: string;
  /** Absent when the URL was not fetched (refused, failed, or fetching disabled). */
  page?: FetchedPage;
}

/** VT's URL verdict categories (plus what the pipeline adds: timeout). */
export type UrlCategory = 'malicious' | 'suspicious' | 'undetected' | 'harmless';

export interface UrlVerdict {
  category: UrlCategory;
  /** VT's result text for URLs: `clean`, `unrated`, `malicious`, `phishing`, a signal name... */
  result: string;
  method: string;
  /** Engine's data date as YYYYMMDD (a feed's date), when it has one. */
  engineUpdate?: string;
}

/** A URL verdict engine (blocklists fed by imported feeds, heuristics). */
export interface UrlEngine extends Plugin {
  scanUrl(input: UrlInput, signal: AbortSignal): Promise<UrlVerdict>;
}

/** What an intel source is asked about: a domain (lower-case punycode) or an IP address (canonical text). */
export type IntelTarget = { kind: 'domain'; name: string } | { kind: 'ip'; address: string };

/** One observed DNS answer, kept as a passive-DNS resolution. */
export interface ObservedResolution {
  hostName: string;
  ipAddress: string;
  /** Who answered, e.g. `assay-dns` or a resolver address. */
  resolver: string;
}

export interface IntelResult {
  /** VT attributes of the domain or ip_address object this source fills (e.g. last_dns_records, whois, asn). */
  attributes: Record<string, unknown>;
  resolutions?: ObservedResolution[];
  /** Set by the cache the host puts in front of every source (sources leave it out). */
  freshness?: { /** Unix ms when the source produced the answer. */ fetchedAt: number; fromCache: boolean; stale: boolean };
}

/** How a lookup is asked for. */
export interface IntelLookupOptions {
  /** Past any cache in front of the source (a rescan); a source itself always looks up. */
  force?: boolean;
}

/** An enrichment source for domains and IPs (dns, rdap, tls, geo). Cached by the app with `cacheTtlMs`. */
export interface IntelSource extends Plugin {
  /** How long an answer stays fresh; past it the cache serves the stale answer while it refreshes. */
  readonly cacheTtlMs: number;
  lookup(target: IntelTarget, signal: AbortSignal, options?: IntelLookupOptions): Promise<IntelResult>;
}

/**
 * Resolves a host and vets every address against the fetch policy (no loopback, private,
 * link-local, metadata... unless allow-listed); returns the one address to connect to, or throws
 * PluginError('address-refused', reason). Given to plugins that open connections themselves (tls).
 */
export type ConnectGuard = (host: string, signal: AbortSignal) => Promise<{ address: string; family: 4 | 6 }>;

/** One resource a captured page asked for, fetched by the host through its address policy. */
export type ResourceFetch = (
  url: string,
  signal: AbortSignal,
) => Promise<{ ok: true; status: number; headers: Record<string, string>; body: Buffer } | { ok: false; reason: string }>;

/** Renders a URL's page to a PNG (screenshots); every request the page makes goes through `ResourceFetch`. */
export interface PageCapturer extends Plugin {
  capture(url: string, signal: AbortSignal): Promise<{ png: Buffer; refusedRequests: number }>;
}
