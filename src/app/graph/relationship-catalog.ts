/**
 * The relationships Assay serves for files, URLs, domains and IP addresses: their VT names, what
 * they point to, one-to-one or many, and where they come from (edges recorded forwards or read
 * backwards, submissions, passive DNS, history, the name itself, or nothing yet). One list for
 * routing, /metadata and ?relationships=.
 */

import type { RelatedType } from '../../core/model/relation.js';

export type GraphOwner = 'file' | 'url' | 'domain' | 'ip_address';

export type RelationshipSource =
  /** Edges recorded under the same name (relations table). */
  | 'edges'
  /** Edges recorded the other way (`reverse`), read from their target. */
  | 'reverse_edges'
  /** A file's submissions. */
  | 'submissions'
  /** A VT relationship Assay has no data for (sandboxes, Enterprise graphs...): always an empty list. */
  | 'none'
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
  /** For `reverse_edges`: the edge name and the type of the objects listed (edges `<fromType> <name> <owner>`). */
  reverse?: { name: string; fromType: RelatedType };
}

const edges = (name: string, target: string, description: string, oneToOne = false): RelationshipSpec => ({ name, target, description, oneToOne, source: 'edges' });
const reverse = (name: string, target: RelatedType, edge: string, description: string): RelationshipSpec => ({
  name,
  target,
  description,
  oneToOne: false,
  source: 'reverse_edges',
  reverse: { name: edge, fromType: target },
});
const none = (name: string, target: string, description: string): RelationshipSpec => ({ name, target, description, oneToOne: false, source: 'none' });

/**
 * Every relationship VT documents for files but `analyses`, `comments` and `votes` (the API serves
 * those from their own services). Those Assay has no data for answer an empty list, as VT does for a
 * file without them, so clients that ask for them keep working; only names VT lacks are refused.
 */
const fileRelationships: readonly RelationshipSpec[] = [
  none('behaviours', 'file_behaviour', 'Sandbox behaviour reports (Assay runs no sandbox: always empty).'),
  edges('bundled_files', 'file', 'Files inside this archive (members of a password-protected ZIP upload).'),
  none('carbonblack_children', 'file', 'Files Carbon Black saw this file create (no data in Assay).'),
  none('carbonblack_parents', 'file', 'Files Carbon Black saw create this file (no data in Assay).'),
  none('collections', 'collection', 'Collections containing this file (not kept by Assay).'),
  reverse('compressed_parents', 'file', 'bundled_files', 'Archives this file was found inside.'),
  edges('contacted_domains', 'domain', 'Domains the file contacted when run (needs a sandbox).'),
  edges('contacted_ips', 'ip_address', 'Addresses the file contacted when run (needs a sandbox).'),
  edges('contacted_urls', 'url', 'URLs the file contacted when run (needs a sandbox).'),
  edges('dropped_files', 'file', 'Files the file wrote when run (needs a sandbox).'),
  none('email_attachments', 'file', 'Attachments of this email (no email parser in Assay).'),
  none('email_parents', 'file', 'Emails with this file attached (no email parser in Assay).'),
  edges('embedded_domains', 'domain', 'Domains found in the file.'),
  edges('embedded_ips', 'ip_address', 'IP addresses found in the file.'),
  edges('embedded_urls', 'url', 'URLs found in the file.'),
  edges('execution_parents', 'file', 'Files that ran this one (needs a sandbox).'),
  none('graphs', 'graph', 'VT graphs containing this file (not kept by Assay).'),
  reverse('itw_domains', 'domain', 'downloaded_files', 'Domains this file was downloaded from.'),
  reverse('itw_ips', 'ip_address', 'downloaded_files', 'Addresses this file was downloaded from.'),
  reverse('itw_urls', 'url', 'downloaded_files', 'URLs this file was downloaded from ("in the wild").'),
  none('memory_pattern_domains', 'domain', 'Domains in memory dumps of the running file (needs a sandbox).'),
  none('memory_pattern_ips', 'ip_address', 'Addresses in memory dumps of the running file (needs a sandbox).'),
  none('memory_pattern_urls', 'url', 'URLs in memory dumps of the running file (needs a sandbox).'),
  edges('overlay_children', 'file', 'The overlay of this PE, as a file.'),
  reverse('overlay_parents', 'file', 'overlay_children', 'PE files with this file as their overlay.'),
  none('pcap_children', 'file', 'Files carried in this capture (no PCAP parser in Assay).'),
  none('pcap_parents', 'file', 'Captures carrying this file (no PCAP parser in Assay).'),
  edges('pe_resource_children', 'file', 'Resources of this PE, as files.'),
  reverse('pe_resource_parents', 'file', 'pe_resource_children', 'PE files with this file as a resource.'),
  none('related_references', 'reference', 'Threat-intelligence references (not kept by Assay).'),
  none('related_threat_actors', 'collection', 'Threat actors (not kept by Assay).'),
  none('screenshots', 'screenshot', 'Sandbox screenshots (Assay runs no sandbox).'),
  none('sigma_analysis', 'sigma_analysis', 'Sigma rule matches on sandbox logs (Assay runs no sandbox).'),
  none('similar_files', 'file', 'Files similar by VT\'s own measures (not computed by Assay).'),
  { name: 'submissions', target: 'submission', description: 'Submissions of this file, newest first (private ones only to their owners).', oneToOne: false, source: 'submissions' },
  none('urls_for_embedded_js', 'url', 'URLs of pages embedding this script (not kept by Assay).'),
  none('user_votes', 'vote', "The caller's own votes on this file (see votes)."),
];

export const graphRelationships: Record<GraphOwner, readonly RelationshipSpec[]> = {
  file: fileRelationships,
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
