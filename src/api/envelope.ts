// VirusTotal's response envelopes: objects, descriptors, collections with both cursor forms, errors, links.
import type { FastifyRequest } from 'fastify';
import type { ErrorCode } from '../core/errors.js';

export interface VtObject {
  type: string;
  id: string;
  links: { self: string };
  attributes: Record<string, unknown>;
  relationships?: Record<string, RelationshipEntry>;
}

export interface Descriptor {
  type: string;
  id: string;
}

export interface RelationshipEntry {
  data: Descriptor[] | Descriptor | null;
  meta?: { cursor?: string; count?: number };
  links: { self: string; related: string; next?: string };
}

export interface CollectionEnvelope<T> {
  data: T[];
  meta: { cursor?: string; count?: number };
  links: { self: string; next?: string };
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string };
}

export const errorBody = (code: ErrorCode, message: string): ErrorEnvelope => ({ error: { code, message } });

/**
 * A path segment as VT writes it: `/` and other delimiters escaped, but `=` (analysis ids end in
 * base64 padding) and other sub-delimiters left as they are, as clients expect to see them.
 */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%(3D|3A|40|2B|24|2C|3B|21|27|28|29|2A)/g, (m) => decodeURIComponent(m));
}

/** Absolute links on the public base URL; clients request these verbatim. */
export class Links {
  constructor(private readonly publicBaseUrl: () => string) {}

  get base(): string {
    return this.publicBaseUrl().replace(/\/+$/, '');
  }

  api(path: string): string {
    return `${this.base}/api/v3${path}`;
  }

  file(sha256: string): string {
    return this.api(`/files/${pathSegment(sha256)}`);
  }

  analysis(id: string): string {
    return this.api(`/analyses/${pathSegment(id)}`);
  }

  /** A URL object's link, always by its sha256 id (the form VT returns). */
  url(id: string): string {
    return this.api(`/urls/${pathSegment(id)}`);
  }

  domain(name: string): string {
    return this.api(`/domains/${pathSegment(name)}`);
  }

  ipAddress(address: string): string {
    return this.api(`/ip_addresses/${pathSegment(address)}`);
  }

  resolution(id: string): string {
    return this.api(`/resolutions/${pathSegment(id)}`);
  }

  /** The request's own URL (path and query exactly as sent) on the public base. */
  self(request: FastifyRequest): string {
    return `${this.base}${request.url}`;
  }

  /**
   * The next page: the request's path with every original query parameter kept (vt-go follows
   * this URL as is, so `filter`, `relationships` and the like must survive), cursor and limit set.
   */
  next(request: FastifyRequest, cursor: string, limit: number): string {
    const url = new URL(request.url, 'http://placeholder');
    url.searchParams.set('cursor', cursor);
    url.searchParams.set('limit', String(limit));
    return `${this.base}${url.pathname}?${url.searchParams.toString()}`;
  }
}

/**
 * A page as VT clients need it: vt-py reads meta.cursor, vt-go follows links.next. Both are left
 * out on the last page, and never given with an empty page (vt-py then pops from an empty list).
 */
export function collection<T>(items: T[], cursor: string | undefined, self: string, next: (cursor: string) => string): CollectionEnvelope<T> {
  const more = cursor !== undefined && cursor !== '' && items.length > 0;
  return {
    data: items,
    meta: more ? { cursor } : {},
    links: more ? { self, next: next(cursor) } : { self },
  };
}
