/**
 * The relationships Assay serves for URLs, domains and IP addresses: their VT names, what they
 * point to, one-to-one or many, and where they come from (edges the pipeline recorded, passive DNS,
 * history, or the name itself). One list for routing, /metadata and ?relationships=.
 */

export type GraphOwner = 'url' | 'domain' | 'ip_address';

export type RelationshipSource =
  /** Edges recorded under the same name (relations table). */
  | 'edges'
  | 'resolutions'
  | 'subdomains'
  | 'siblings'
  | 'parent'
  | 'immediate_parent'
  | 'historical_whois'
  | 'historical_ssl_certificates';

export interface RelationshipSpec {
  name: string;
  description: string;
  /** VT type of the related objects (`domain|ip_address` for network_location). */
  target: string;
  oneToOne: boolean;
  source: RelationshipSource;
}

const edges = (name: string, target: string, description: string, oneToOne = false): RelationshipSpec => ({ name, target, description, oneToOne, source: 'edges' });

export const graphRelationships: Record<GraphOwner, readonly RelationshipSpec[]> = {
  url: [
    edges('contacted_domains', 'domain', 'Domains the fetch of this URL connected to, redirects included.'),
    edges('contacted_ips', 'ip_address', 'Addresses the fetch of this URL connected to.'),
    edges('downloaded_files', 'file', 'Files served at this URL (the response bodies).'),
    edges('http_response_contents', 'file', 'Response bodies of this URL, as files.'),
    edges('last_serving_ip_address', 'ip_address', 'The address that served the last fetch.', true),
    edges('network_location', 'domain|ip_address', "The URL's host: a domain or an IP address.", true),
    edges('redirecting_urls', 'url', 'URLs that redirected to this one.'),
    edges('redirects_to', 'url', 'URLs this one redirected to.'),
  ],
  domain: [
    edges('communicating_files', 'file', 'Files seen contacting this domain.'),
    edges('downloaded_files', 'file', 'Files served from this domain.'),
    { name: 'historical_ssl_certificates', target: 'ssl_cert', description: 'Certificates seen on port 443, newest first.', oneToOne: false, source: 'historical_ssl_certificates' },
    { name: 'historical_whois', target: 'whois', description: 'WHOIS records as they changed, newest first.', oneToOne: false, source: 'historical_whois' },
    { name: 'immediate_parent', target: 'domain', description: 'The domain one label up.', oneToOne: true, source: 'immediate_parent' },
    { name: 'parent', target: 'domain', description: 'The registrable domain this one belongs to.', oneToOne: true, source: 'parent' },
    edges('referrer_files', 'file', 'Files that contain this domain.'),
    { name: 'resolutions', target: 'resolution', description: 'Addresses this domain resolved to (passive DNS), newest first.', oneToOne: false, source: 'resolutions' },
    { name: 'siblings', target: 'domain', description: 'Other subdomains of the same parent.', oneToOne: false, source: 'siblings' },
    { name: 'subdomains', target: 'domain', description: 'Known subdomains.', oneToOne: false, source: 'subdomains' },
    edges('urls', 'url', 'URLs on this domain.'),
  ],
  ip_address: [
    edges('communicating_files', 'file', 'Files seen contacting this address.'),
    edges('downloaded_files', 'file', 'Files served from this address.'),
    { name: 'historical_ssl_certificates', target: 'ssl_cert', description: 'Certificates seen on port 443, newest first.', oneToOne: false, source: 'historical_ssl_certificates' },
    { name: 'historical_whois', target: 'whois', description: 'WHOIS (RDAP) records as they changed, newest first.', oneToOne: false, source: 'historical_whois' },
    edges('referrer_files', 'file', 'Files that contain this address.'),
    { name: 'resolutions', target: 'resolution', description: 'Host names seen resolving to this address (passive DNS), newest first.', oneToOne: false, source: 'resolutions' },
    edges('urls', 'url', 'URLs served from this address.'),
  ],
};

export const relationshipSpec = (owner: GraphOwner, name: string): RelationshipSpec | undefined => graphRelationships[owner].find((r) => r.name === name);
