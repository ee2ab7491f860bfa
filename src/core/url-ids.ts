/**
 * URL identifiers: the id of a URL (sha256 of its canonical form), the two forms clients send in
 * `/urls/{id}` (sha256 hex, or unpadded base64url of the URL as typed), and URL analysis ids.
 */
import { createHash } from 'node:crypto';
import { canonicalizeUrl } from './url-canonical.js';
import { AppError, isAppError } from './errors.js';

export type UrlIdentifier = { kind: 'sha256'; id: string } | { kind: 'url'; url: string };

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The URL's VT id: sha256 hex of the canonical text (core/url-canonical.ts). */
export const urlIdOf = (canonical: string): string => createHash('sha256').update(canonical, 'utf8').digest('hex');

/**
 * Reads a `/urls/{id}`: 64 hex digits are a sha256 (lowercased); anything else must be unpadded
 * base64url of a URL (vt-py's `url_id`, vt-go's RawURLEncoding; stray `=` tolerated). The decoded
 * URL is returned as sent, for the caller to canonicalise and to keep as the submitted `url`.
 */
export function parseUrlIdentifier(id: string): UrlIdentifier {
  if (SHA256_HEX.test(id)) return { kind: 'sha256', id: id.toLowerCase() };
  const encoded = id.replace(/=+$/, '');
  if (!BASE64URL.test(encoded)) throw new AppError('InvalidArgumentError', 'URL identifier is neither a sha256 nor base64url');
  let url: string;
  try {
    url = utf8.decode(Buffer.from(encoded, 'base64url'));
  } catch {
    throw new AppError('InvalidArgumentError', 'URL identifier does not decode to UTF-8 text');
  }
  // Node's decoder drops trailing bits that do not fill a byte; re-encoding tells a lossless decode from noise.
  if (Buffer.from(url, 'utf8').toString('base64url') !== encoded) {
    throw new AppError('InvalidArgumentError', 'URL identifier is not valid base64url');
  }
  try {
    canonicalizeUrl(url);
  } catch (err) {
    if (!isAppError(err)) throw err;
    throw new AppError('InvalidArgumentError', `URL identifier decodes to something that is not a URL: ${err.message}`);
  }
  return { kind: 'url', url };
}

/** VT's URL analysis id, `u-<url id>-<unix seconds>`; a suffix keeps two analyses in one second apart. */
export const urlAnalysisId = (urlId: string, unixSeconds: number, suffix?: string): string =>
  `u-${urlId}-${unixSeconds}${suffix ? `-${suffix}` : ''}`;
