/**
 * What a fetched HTML page says about itself, in VT's url attributes: title, html_meta,
 * outgoing_links (other sites' links) and trackers (analytics ids). Parsed with htmlparser2,
 * bounded in bytes and in what is kept, since the page is attacker-controlled.
 */
import { Parser } from 'htmlparser2';

/** Only the start of a page is parsed: titles, metas and most links come first. */
const MAX_PARSED_CHARS = 2 * 1024 * 1024;
const MAX_LINKS = 500;
const MAX_META_VALUES = 50;
const MAX_TEXT = 1024;

export interface PageFacts {
  title?: string;
  html_meta: Record<string, string[]>;
  outgoing_links: string[];
  trackers: Record<string, Array<{ id: string; url: string; timestamp: number }>>;
}

/** Tracker ids that show in a page's scripts, by VT's tracker names. */
const trackerPatterns: ReadonlyArray<[string, RegExp]> = [
  ['Google Analytics', /\b(UA-\d{4,10}-\d{1,4})\b/g],
  ['Google Tag Manager', /\b(GTM-[A-Z0-9]{4,10})\b/g],
  ['Google Analytics 4', /\b(G-[A-Z0-9]{6,12})\b/g],
  ['Facebook Pixel', /fbq\(\s*['"]init['"]\s*,\s*['"](\d{8,20})['"]/g],
];

export function extractPageFacts(html: string, pageUrl: string, nowSeconds: number): PageFacts {
  const text = html.length > MAX_PARSED_CHARS ? html.slice(0, MAX_PARSED_CHARS) : html;
  const base = safeUrl(pageUrl);
  const meta: Record<string, string[]> = {};
  const links = new Set<string>();
  let title: string | undefined;
  let inTitle = false;
  let titleText = '';
  let scriptText = '';
  let inScript = false;

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'title' && title === undefined) inTitle = true;
        if (name === 'script') inScript = true;
        if (name === 'meta') {
          const key = (attrs.name ?? attrs.property ?? attrs['http-equiv'])?.toLowerCase().slice(0, 128);
          if (key && attrs.content !== undefined) {
            const values = (meta[key] ??= []);
            if (values.length < MAX_META_VALUES) values.push(attrs.content.slice(0, MAX_TEXT));
          }
        }
        const href = name === 'a' || name === 'area' ? attrs.href : undefined;
        if (href && base && links.size < MAX_LINKS) {
          const target = safeUrl(href, base);
          if (target && (target.protocol === 'http:' || target.protocol === 'https:') && target.host !== base.host) {
            target.hash = '';
            links.add(target.toString());
          }
        }
      },
      ontext(data) {
        if (inTitle && titleText.length < MAX_TEXT) titleText += data;
        if (inScript && scriptText.length < MAX_PARSED_CHARS) scriptText += data;
      },
      onclosetag(name) {
        if (name === 'title' && inTitle) {
          inTitle = false;
          title = titleText.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
        }
        if (name === 'script') inScript = false;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(text);
  parser.end();

  const trackers: PageFacts['trackers'] = {};
  for (const [name, pattern] of trackerPatterns) {
    const ids = new Set([...scriptText.matchAll(pattern)].map((m) => m[1]!));
    if (ids.size > 0) trackers[name] = [...ids].slice(0, 20).map((id) => ({ id, url: pageUrl, timestamp: nowSeconds }));
  }
  return { ...(title ? { title } : {}), html_meta: meta, outgoing_links: [...links], trackers };
}

function safeUrl(text: string, base?: URL): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}
