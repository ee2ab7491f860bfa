/**
 * URLs, domains and IPv4 addresses in text: defanged forms understood, public suffixes checked with
 * tldts, noise from false-positives.ts dropped, deduplicated and capped.
 */
import ipaddr from 'ipaddr.js';
import { parse as parseDomain } from 'tldts';
import { AMBIGUOUS_TLDS, BARE_NAME_TLDS, CODE_RECEIVERS, NOISE_DOMAINS, OID_PREFIX, SINGLE_DIGIT_QUAD, VERSION_CONTEXT } from './false-positives.js';

export interface Indicators {
  urls: string[];
  domains: string[];
  ips: string[];
}

export interface IndicatorLimits {
  maxUrls: number;
  maxDomains: number;
  maxIps: number;
  /** Longest URL kept. */
  maxUrlChars: number;
}

export const DEFAULT_INDICATOR_LIMITS: IndicatorLimits = { maxUrls: 500, maxDomains: 500, maxIps: 500, maxUrlChars: 2048 };

// Single character classes with bounded repeats: linear on any input.
const URL_RUN = /\b(?:h(?:tt|xx|XX|TT)ps?|ftp|fxp)(?:\[:\]|:)\/\/[^\s"'<>`{}|\\^]{1,2048}/gi;
const HOST_RUN = /[A-Za-z0-9][A-Za-z0-9.\-[\]()]{2,252}[A-Za-z0-9]/g;
const IPV4_RUN = /(?<![\d.])(?:\d{1,3}(?:\.|\[\.\]|\(\.\))){3}\d{1,3}(?![\d]|\.\d)/g;
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** hxxp://, [.], (.), {.}, [dot], [:] back to their plain forms. */
export function refang(text: string): string {
  return text
    .replace(/\bh(?:xx|XX)p/g, 'http')
    .replace(/\bfxp:/gi, 'ftp:')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.')
    .replace(/\[:\]/g, ':');
}

export class IndicatorCollector {
  private readonly urls = new Set<string>();
  private readonly domains = new Set<string>();
  private readonly ips = new Set<string>();

  constructor(private readonly limits: IndicatorLimits = DEFAULT_INDICATOR_LIMITS) {}

  /**
   * `strict` is for strings pulled out of binary data, where unrelated strings run together and
   * section names, OIDs and versions abound: there a name or address without a scheme counts only
   * when it is the whole string (optionally with a port or path), an e-mail domain, or `www.`.
   */
  add(text: string, mode: 'text' | 'strict' = 'text'): void {
    if (this.full()) return;
    for (const m of text.matchAll(URL_RUN)) this.addUrl(m[0]);
    for (const m of text.matchAll(IPV4_RUN)) {
      if (mode === 'strict' && !wholeString(text, m.index, m[0].length)) continue;
      const before = text.slice(Math.max(0, m.index - 12), m.index);
      this.addIp(refang(m[0]), before);
    }
    for (const m of text.matchAll(HOST_RUN)) {
      const at = m.index;
      const prev = text[at - 1];
      // Hosts of URLs were taken above; a leading dot marks a section name or extension chain (.note.gnu.property).
      if (text.slice(Math.max(0, at - 3), at) === '://' || prev === '.') continue;
      if (mode === 'strict' && prev !== '@' && !m[0].toLowerCase().startsWith('www.') && !wholeString(text, at, m[0].length)) continue;
      this.addBareDomain(m[0]);
    }
  }

  result(): Indicators {
    return { urls: [...this.urls], domains: [...this.domains], ips: [...this.ips] };
  }

  private full(): boolean {
    const l = this.limits;
    return this.urls.size >= l.maxUrls && this.domains.size >= l.maxDomains && this.ips.size >= l.maxIps;
  }

  private addUrl(raw: string): void {
    const text = refang(raw).replace(TRAILING, '');
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return;
    }
    if (!['http:', 'https:', 'ftp:'].includes(url.protocol)) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host)) {
      if (!publicAddress(host)) return;
      this.pushIp(ipaddr.parse(host).toString());
    } else {
      const domain = validDomain(host);
      if (!domain || isNoise(domain)) return;
      this.pushDomain(domain);
    }
    if (this.urls.size < this.limits.maxUrls && url.href.length <= this.limits.maxUrlChars) this.urls.add(url.href);
  }

  private addIp(text: string, before: string): void {
    if (VERSION_CONTEXT.test(before) || SINGLE_DIGIT_QUAD.test(text) || OID_PREFIX.test(text)) return;
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return;
    if (!publicAddress(text)) return;
    this.pushIp(text);
  }

  private addBareDomain(raw: string): void {
    const text = refang(raw).replace(TRAILING, '');
    if (!text.includes('.') || /[[\]()]/.test(text)) return;
    const labels = text.split('.');
    // CamelCase labels are code (System.Net.Sockets, Foo.Bar.Com), not host names.
    if (labels.some((l) => /[a-z][A-Z]|^[A-Z][a-z]+[A-Z]/.test(l))) return;
    const domain = validDomain(text);
    if (!domain || isNoise(domain)) return;
    const parts = domain.split('.');
    const suffix = parts[parts.length - 1]!;
    if (!(BARE_NAME_TLDS.has(suffix) || (suffix.length === 2 && !AMBIGUOUS_TLDS.has(suffix)))) return;
    if (parts.length === 2 && (AMBIGUOUS_TLDS.has(suffix) || CODE_RECEIVERS.has(parts[0]!))) return;
    // Mixed-case TLDs (System.IO, Foo.Com) are identifiers.
    const tld = labels[labels.length - 1]!;
    if (tld !== tld.toLowerCase() && tld !== tld.toUpperCase()) return;
    if (parts.length === 2 && tld === tld.toUpperCase() && labels[0] !== labels[0]!.toUpperCase()) return;
    this.pushDomain(domain);
  }

  private pushDomain(d: string): void {
    if (this.domains.size < this.limits.maxDomains) this.domains.add(d);
  }

  private pushIp(ip: string): void {
    if (this.ips.size < this.limits.maxIps) this.ips.add(ip);
  }
}

/** The match is the whole (trimmed) string, or followed only by a port. */
function wholeString(text: string, at: number, length: number): boolean {
  if (text.slice(0, at).trim() !== '') return false;
  const rest = text.slice(at + length).trim();
  // Not a path: "github.com/x/y" in a binary is a Go or npm module path, not a host it contacts.
  return rest === '' || /^:\d{1,5}$/.test(rest);
}

/** Lower-case host name with an ICANN public suffix and sane labels, or undefined. */
function validDomain(host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name.length > 253) return undefined;
  const labels = name.split('.');
  if (labels.length < 2 || labels.some((l) => l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-'))) return undefined;
  if (!/^[a-z0-9.-]+$/.test(name)) return undefined;
  const parsed = parseDomain(name, { allowPrivateDomains: false });
  if (!parsed.isIcann || !parsed.domain || parsed.isIp) return undefined;
  return name;
}

function isNoise(domain: string): boolean {
  return NOISE_DOMAINS.some((n) => domain === n || domain.endsWith(`.${n}`)) || domain.split('.').pop() === 'local';
}

function publicAddress(text: string): boolean {
  try {
    const addr = ipaddr.parse(text);
    return addr.range() === 'unicast';
  } catch {
    return false;
  }
}

/** Indicators in some texts (a file's strings, decoded script layers). */
export function extractIndicators(
  texts: Iterable<string>, limits: IndicatorLimits = DEFAULT_INDICATOR_LIMITS, mode: 'text' | 'strict' = 'text',
): Indicators {
  const collector = new IndicatorCollector(limits);
  for (const t of texts) collector.add(t, mode);
  return collector.result();
}
