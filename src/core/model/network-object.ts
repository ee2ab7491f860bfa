/** Domains and IP addresses: the objects, the resolutions between them, and their WHOIS and certificate history. */

export type NetworkObjectType = 'domain' | 'ip_address';

/** A domain or IP address object: what intel sources found, merged per source. */
export interface NetworkObject {
  type: NetworkObjectType;
  /** Lower-case punycode domain, or canonical IP text. */
  id: string;
  /** VT attributes (last_dns_records, whois, asn, last_https_certificate, last_analysis_*...). */
  attributes: Record<string, unknown>;
  tags: string[];
  /** Unix seconds: when Assay first saw it, and when its attributes last changed. */
  firstSeenDate: number;
  lastModificationDate: number;
}

/** A host name seen resolving to an IP address (passive DNS). */
export interface Resolution {
  /** `<ip><host>`, VT's resolution id. */
  id: string;
  ipAddress: string;
  hostName: string;
  resolver: string;
  /** Unix seconds: first and last time this pairing was observed (VT's `date` is the last). */
  firstSeen: number;
  lastSeen: number;
}

export type HistoryKind = 'whois' | 'ssl_cert';

/** A past WHOIS record or certificate of a domain or IP, kept when it changed. */
export interface HistoryEntry {
  /** whois: sha256 of the content; ssl_cert: the certificate's sha256 thumbprint. */
  id: string;
  kind: HistoryKind;
  itemType: NetworkObjectType;
  itemId: string;
  /** The whois object's attributes, or the certificate dict (vt-api-v3 8.5). */
  content: Record<string, unknown>;
  /** Unix seconds first and last seen with this content. */
  firstSeen: number;
  lastSeen: number;
}
