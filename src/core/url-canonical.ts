/**
 * URL canonicalisation: the one text form of a URL whose sha256 is its VT id. A URL that is already
 * canonical is kept byte for byte (`https://www.google.com/` hashes to VT's id for it). Rules, in order:
 *
 *  1. Surrounding whitespace is trimmed; what remains may not contain C0 controls or DEL, nor be over 8 KiB.
 *  2. A URL without a scheme gets `http://` (`example.com/x`, `localhost:8080`, `//example.com`).
 *  3. Only http, https and ftp are accepted (VT's schemes); the scheme is lowercased.
 *  4. The WHATWG URL parser (Node's `URL`) does the host and the path: host lowercased, unicode
 *     names to punycode (UTS #46), IPv4 in odd forms (`0x7f.1`, `3232235777`) to dotted decimal,
 *     IPv6 compressed, default ports dropped (80, 443, 21), an empty path becomes `/`, `.` and `..`
 *     segments resolved, `\` read as `/`, characters a path cannot hold percent-encoded.
 *  5. In the path, escapes of unreserved characters (ALPHA DIGIT - . _ ~) are decoded and the hex of
 *     the remaining escapes is uppercased (RFC 3986 §6.2.2).
 *  6. The `#fragment` is dropped.
 *  7. The query is kept as written, escapes untouched; only characters no URL can hold (space, `"`,
 *     `<`, `>`, non-ASCII) are percent-encoded. A bare `?` stays.
 *  8. Userinfo (`user:pass@`) is kept as the WHATWG parser serialises it: phishing URLs rely on it.
 */
import { AppError } from './errors.js';

export type UrlScheme = 'http' | 'https' | 'ftp';

export interface CanonicalUrl {
  canonical: string;
  /** Lower-case punycode host; IPv6 without brackets. */
  host: string;
  scheme: UrlScheme;
}

/** Browsers handle far more, but VT and most feeds stop well below; a cap keeps ids and storage bounded. */
export const MAX_URL_BYTES = 8 * 1024;

const SCHEMES: ReadonlySet<string> = new Set<UrlScheme>(['http', 'https', 'ftp']);
const CONTROL = /[\u0000-\u001f\u007f]/;
const SCHEME_PREFIX = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s;
/** After `name:`, a port (digits, then the end or a path) means `name` was a host, not a scheme. */
const PORT_AFTER_COLON = /^\d*(?:[/?#]|$)/;
const ESCAPE = /%([0-9a-fA-F]{2})/g;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const QUERY_UNSAFE = /[ "<>]|[^\u0000-\u007f]+/gu;

const invalid = (message: string): AppError => new AppError('InvalidArgumentError', message);

export function canonicalizeUrl(raw: string): CanonicalUrl {
  const text = raw.trim();
  if (text === '') throw invalid('URL is empty');
  if (Buffer.byteLength(text, 'utf8') > MAX_URL_BYTES) throw invalid(`URL is longer than ${MAX_URL_BYTES} bytes`);
  if (CONTROL.test(text)) throw invalid('URL contains control characters');

  const withScheme = addDefaultScheme(text);
  const scheme = withScheme.slice(0, withScheme.indexOf(':')).toLowerCase();
  if (!SCHEMES.has(scheme)) throw invalid(`unsupported URL scheme '${scheme}:'; only http, https and ftp URLs are accepted`);
  if (authorityHost(withScheme) === '') throw invalid('URL has no host');

  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw invalid(`not a valid URL: ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}`);
  }
  if (url.hostname === '') throw invalid('URL has no host');

  const userinfo = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const canonical = `${scheme}://${userinfo}${url.host}${normalizeEscapes(url.pathname)}${rawQuery(withScheme)}`;
  if (Buffer.byteLength(canonical, 'utf8') > MAX_URL_BYTES) throw invalid(`URL is longer than ${MAX_URL_BYTES} bytes once canonicalised`);
  return { canonical, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), scheme: scheme as UrlScheme };
}

/** `example.com:8080/x` and `localhost:8080` are hosts with ports, `mailto:x` is a scheme, `//h/` is scheme-relative. */
function addDefaultScheme(text: string): string {
  if (text.startsWith('//')) return `http:${text}`;
  const m = SCHEME_PREFIX.exec(text);
  if (!m) return `http://${text}`;
  const [, name, rest] = m as unknown as [string, string, string];
  if (rest.startsWith('/')) return text;
  if (PORT_AFTER_COLON.test(rest) || name.includes('.')) return `http://${text}`;
  return text;
}

/**
 * The host part of the authority as written, so "no host" gets its own message rather than the
 * parser's generic failure. Special schemes skip any number of slashes and read `\` as `/`.
 */
function authorityHost(text: string): string {
  const afterScheme = text.slice(text.indexOf(':') + 1).replace(/^[/\\]*/, '');
  const authority = afterScheme.split(/[/\\?#]/, 1)[0]!;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  return hostPort.startsWith('[') ? hostPort : hostPort.replace(/:\d*$/, '');
}

function normalizeEscapes(path: string): string {
  return path.replace(ESCAPE, (_, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/**
 * The query as submitted. The WHATWG serialiser would also rewrite `'` as `%27` in http(s) queries,
 * which would change the id of a URL that was already fine; so the raw text is used, with only
 * what cannot appear in a URL encoded. The authority cannot hold `?` or `#`, so the first `?`
 * before the first `#` starts the query.
 */
function rawQuery(text: string): string {
  const hash = text.indexOf('#');
  const beforeFragment = hash === -1 ? text : text.slice(0, hash);
  const q = beforeFragment.indexOf('?');
  if (q === -1) return '';
  return beforeFragment.slice(q).replace(QUERY_UNSAFE, (s) => encodeBytes(s));
}

/** UTF-8 percent-encoding; Buffer turns lone surrogates into U+FFFD as the WHATWG encoder does. */
function encodeBytes(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}
