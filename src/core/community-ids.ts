/**
 * Identifiers of community content: the objects comments and votes attach to (files, URLs, domains,
 * IP addresses), their canonical ids, and the ids of comments and votes themselves.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { canonicalizeUrl } from './url-canonical.js';
import { parseUrlIdentifier, urlIdOf } from './url-ids.js';

/** API collection -> object type, for the objects that take comments and votes. */
export const communityCollections = {
  files: 'file',
  urls: 'url',
  domains: 'domain',
  ip_addresses: 'ip_address',
} as const;

export type CommunityCollection = keyof typeof communityCollections;
export type CommunityItemType = (typeof communityCollections)[CommunityCollection];

/** What a comment or vote is attached to: a type and that type's canonical id. */
export interface CommunityItem {
  type: CommunityItemType;
  id: string;
}

export const communityItemTypes: readonly CommunityItemType[] = Object.values(communityCollections);

/** VT's prefixes: `f-<sha256>-…` and `u-<url id>-…` are seen on VT; `d-` and `i-` follow the pattern. */
const idPrefixes: Record<CommunityItemType, string> = { file: 'f', url: 'u', domain: 'd', ip_address: 'i' };

const collectionsByType = Object.fromEntries(
  Object.entries(communityCollections).map(([collection, type]) => [type, collection]),
) as Record<CommunityItemType, CommunityCollection>;

export const collectionOf = (type: CommunityItemType): CommunityCollection => collectionsByType[type];

/** `f-<sha256>-<8 hex>`, `u-<url id>-<8 hex>`, `d-<domain>-<8 hex>`, `i-<ip>-<8 hex>`. */
export const commentId = (item: CommunityItem, suffix: string): string => `${idPrefixes[item.type]}-${item.id}-${suffix}`;

/** A vote's id: the comment form with `v` before the random part, `f-<sha256>-v<8 hex>`, so the two never collide. */
export const voteId = (item: CommunityItem, suffix: string): string => `${idPrefixes[item.type]}-${item.id}-v${suffix}`;


/**
 * A URL identifier as VT clients send it (core/url-ids.ts): a sha256 is taken as is; base64url of a
 * URL becomes the sha256 of its canonical form, so comments on `HTTP://Example.com` and on
 * `http://example.com/` meet on one URL. Undefined when the text is neither.
 */
export function urlItemId(text: string): string | undefined {
  try {
    const parsed = parseUrlIdentifier(text);
    return parsed.kind === 'sha256' ? parsed.id : urlIdOf(canonicalizeUrl(parsed.url).canonical);
  } catch {
    return undefined;
  }
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/**
 * What may reach domainToASCII: ASCII letters, digits, `.`, `_`, `-` and any non-ASCII character
 * (mapped or refused by UTS #46 there). URL syntax must not: the host parser would cut `a/b` to `a`
 * and percent-decode `%41`, and the path was decoded once already.
 */
const DOMAIN_INPUT = /^[A-Za-z0-9._\-\u{80}-\u{10FFFF}]+$/u;

/**
 * A domain id: lowercased, unicode names in punycode (WHATWG domainToASCII), no trailing dot.
 * Labels are letters, digits, `-` and `_` (as in `_dmarc`), 1 to 63 long; 253 characters at most.
 * IP addresses and names that read as one (`1.2.3`) are refused: they belong to /ip_addresses.
 */
export function domainItemId(text: string): string | undefined {
  if (text.length > 1024 || !DOMAIN_INPUT.test(text) || isIP(text) !== 0) return undefined;
  const ascii = domainToASCII(text).replace(/\.$/, '');
  if (ascii === '' || ascii.length > 253 || isIP(ascii) !== 0) return undefined;
  const labels = ascii.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return undefined;
  return ascii;
}

/** An IP address id: IPv4 as written (node:net refuses leading zeros), IPv6 in its canonical compressed lowercase form. */
export function ipItemId(text: string): string | undefined {
  switch (isIP(text)) {
    case 4:
      return text;
    case 6:
      // Zone ids (fe80::1%eth0) name an interface of one host, not an address on the Internet.
      if (text.includes('%')) return undefined;
      return new URL(`http://[${text}]/`).hostname.slice(1, -1);
    default:
      return undefined;
  }
}
