/**
 * Signals in a fetched page's HTML: password forms posting to another site, meta refreshes to another
 * site, and `javascript:`/`data:` navigation. A tag scanner written here rather than an HTML parser:
 * none is a dependency, and these checks need only start tags and their attributes, not a DOM.
 */
import { isIP } from 'node:net';
import { getDomain } from 'tldts';
import { strong, weak, type Signal } from './signal.js';

export interface PageFindings {
  signals: Signal[];
  /** A password field anywhere on the page; makes brand mentions and IP hosts count as a login lure. */
  hasPasswordField: boolean;
}

/** Fetchers cap bodies already; this bounds the scan for a caller that did not. */
const MAX_SCAN_CHARS = 2 * 1024 * 1024;
/** Linear: no nested quantifiers. Comments and scripts are scanned as text, which only adds candidates. */
const TAG = /<(\/?)(form|input|meta|a|area|iframe|frame|embed|object)\b([^>]*)>/gi;
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const LOCATION_ASSIGNMENT = /\blocation(?:\.href)?\s*=\s*["'`]\s*(javascript|data):([^"'`]*)/gi;
const LOCATION_CALL = /\b(?:location\.(?:replace|assign)|window\.open)\s*\(\s*["'`]\s*(javascript|data):([^"'`]*)/gi;
/** `javascript:void(0)` and friends are everyday placeholders, not tricks. */
const INERT_JAVASCRIPT = /^\s*(?:void\s*\(?\s*0\s*\)?|false|true|undefined|null)?\s*;?\s*$/i;
/** In a link, only script that hides or builds what it does counts; plain `javascript:doThing()` is old-fashioned, not hostile. */
const ACTIVE_JAVASCRIPT = /\b(?:eval|atob|unescape|fromCharCode|document\.write|location)\b/i;
const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(amp|quot|apos|lt|gt));/gi;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };

export function pageSignals(bodyText: string, pageUrl: string): PageFindings {
  const html = bodyText.length > MAX_SCAN_CHARS ? bodyText.slice(0, MAX_SCAN_CHARS) : bodyText;
  const base = safeUrl(pageUrl);
  const pageSite = base ? siteOf(base) : undefined;
  const signals: Signal[] = [];
  let hasPasswordField = false;
  /** The action of the form we are inside; `null` outside any form. */
  let formAction: string | null = null;

  for (const m of html.matchAll(TAG)) {
    const closing = m[1] === '/';
    const tag = m[2]!.toLowerCase();
    if (closing) {
      if (tag === 'form') formAction = null;
      continue;
    }
    const attrs = attributesOf(m[3]!);
    switch (tag) {
      case 'form':
        formAction = attrs.get('action') ?? '';
        break;
      case 'input':
        if (attrs.get('type')?.toLowerCase() !== 'password') break;
        hasPasswordField = true;
        if (formAction !== null && base && pageSite && isOffsite(formAction, base, pageSite)) signals.push(strong('offsite-password-form'));
        break;
      case 'meta': {
        if (attrs.get('http-equiv')?.toLowerCase() !== 'refresh') break;
        const target = /url\s*=\s*['"]?\s*([^'"]+)/i.exec(attrs.get('content') ?? '')?.[1]?.trim();
        if (!target) break;
        const trick = schemeTrick(target, false);
        if (trick) signals.push(trick);
        else if (base && pageSite && isOffsite(target, base, pageSite)) signals.push(weak('meta-refresh-offsite'));
        break;
      }
      default: {
        // a, area: href; iframe, frame, embed: src; object: data.
        const link = attrs.get('href') ?? attrs.get('src') ?? attrs.get('data');
        const trick = link === undefined ? undefined : schemeTrick(link, tag === 'a' || tag === 'area');
        if (trick) signals.push(trick);
      }
    }
  }

  for (const re of [LOCATION_ASSIGNMENT, LOCATION_CALL]) {
    for (const m of html.matchAll(re)) {
      const trick = schemeTrick(`${m[1]}:${m[2]}`, false);
      if (trick) signals.push(trick);
    }
  }
  return { signals, hasPasswordField };
}

/**
 * `data:` URLs that render a document (not images) and `javascript:` URLs that run something.
 * Links get the stricter test for javascript: (only hiding or navigating script counts).
 */
function schemeTrick(target: string, isLink: boolean): Signal | undefined {
  const t = target.trim();
  const scheme = /^([a-z]+):/i.exec(t)?.[1]?.toLowerCase();
  if (scheme === 'data') return /^data:\s*image\//i.test(t) ? undefined : strong('data-url');
  if (scheme !== 'javascript') return undefined;
  const code = t.slice('javascript:'.length);
  if (INERT_JAVASCRIPT.test(code)) return undefined;
  if (isLink && !ACTIVE_JAVASCRIPT.test(code)) return undefined;
  return strong('javascript-url');
}

/** The registrable domain, or the address itself for an IP host. */
export function siteOf(url: URL): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) return host;
  return getDomain(host) ?? host;
}

function isOffsite(target: string, base: URL, pageSite: string): boolean {
  const resolved = safeUrl(target, base);
  if (!resolved || (resolved.protocol !== 'http:' && resolved.protocol !== 'https:')) return false;
  return siteOf(resolved) !== pageSite;
}

function safeUrl(text: string, base?: URL): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

function attributesOf(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

function decodeEntities(text: string): string {
  return text.replace(ENTITY, (whole, dec?: string, hex?: string, named?: string) => {
    if (named) return NAMED_ENTITIES[named.toLowerCase()] ?? whole;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
