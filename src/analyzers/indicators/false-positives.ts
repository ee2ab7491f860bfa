/**
 * The one list of what is NOT an embedded indicator: names that look like domains or URLs in files
 * but are namespaces, schemas, documentation placeholders, file names or code, and the rules for
 * version numbers that look like IPv4 addresses. Edit here; indicator-extract.ts only applies it.
 */

/**
 * Hosts (and their subdomains) that files mention for reasons other than contacting them:
 * XML/RDF namespace and schema URIs, and documentation names reserved by RFC 2606/6761.
 */
export const NOISE_DOMAINS: readonly string[] = [
  // XML namespaces and schemas: in every Office document, SVG, manifest and .NET assembly.
  'schemas.microsoft.com', 'schemas.xmlsoap.org', 'schemas.openxmlformats.org', 'schemas.android.com',
  'w3.org', 'ns.adobe.com', 'purl.org', 'xmlns.com', 'xml.org', 'openoffice.org', 'oasis-open.org',
  'docbook.org', 'relaxng.org', 'apple.com/dtds', 'java.sun.com', 'xmlsoft.org',
  // Reserved for documentation and tests (RFC 2606, RFC 6761).
  'example.com', 'example.net', 'example.org', 'example.edu', 'localhost', 'invalid', 'test', 'local',
];

/**
 * Public TLDs that are also common file extensions or code member names. A bare name (not inside a
 * URL) of exactly two labels ending in one of these is taken as a file name or code
 * (`setup.py`, `libc.so`, `install.sh`, `System.IO`, `this.name`, `e.target`...), not as a domain.
 * Inside a URL (`https://x.sh/`) the same names are kept.
 */
export const AMBIGUOUS_TLDS: ReadonlySet<string> = new Set([
  // File extensions.
  'so', 'py', 'sh', 'pl', 'pm', 'rs', 'md', 'zip', 'mov', 'cc', 'ps', 'sc', 'ml', 'mk', 'in', 'am', 'as', 'cs', 'ai',
  'io', 'gz', 'it', 'is', 'to', 'do', 'at', 'vc', 'tv', 'js', 'py', 'rb', 'tk', 'cx', 'hr', 'kr', 'ms', 'mp', 'ts', 'sx',
  'bz', 'lu', 'la', 'ac', 'ad', 'al', 'ar', 'bat', 'app', 'dev', 'pdf', 'doc', 'exe', 'jar', 'cab', 'json', 'xml', 'ini',
  'dat', 'log', 'cfg', 'conf', 'txt', 'csv', 'bin', 'img', 'iso', 'rar', 'tar', 'tgz', 'xz', 'lz', 'zst', 'new', 'old',
  'bak', 'tmp', 'swp', 'lock', 'pid', 'sock', 'socket', 'service', 'target', 'mount', 'timer', 'conf', 'rules', 'hook',
  'cpp', 'hpp', 'java', 'class', 'kt', 'go', 'lua', 'php', 'asp', 'css', 'scss', 'html', 'htm', 'svg', 'png', 'jpg',
  'gif', 'ico', 'mp3', 'mp4', 'wav', 'ogg', 'avi', 'mkv', 'webm', 'ttf', 'otf', 'woff', 'pem', 'crt', 'key', 'der', 'p12',
  // Member names in code: obj.name, e.target, x.id, self.run, it.next, el.style, s.link, r.data, a.call...
  'name', 'id', 'run', 'link', 'data', 'call', 'open', 'next', 'style', 'map', 'save', 'show', 'play', 'live', 'search',
  'host', 'click', 'date', 'stream', 'page', 'site', 'email', 'mobile', 'one', 'global', 'group', 'zone', 'fit',
  'tools', 'network', 'services', 'support', 'system', 'center', 'build', 'events', 'report', 'codes', 'directory', 'exposed',
  'properties', 'domains', 'photo', 'photos', 'pictures', 'video', 'download', 'watch', 'cloud', 'works', 'world', 'menu',
  'case', 'cash', 'city', 'moe', 'now', 'off', 'pub', 'red', 'rest', 'sex', 'ski', 'sky', 'spot', 'store',
  'tab', 'team', 'info', 'inc', 'out', 'tips', 'win', 'wtf', 'you', 'zero', 'diet', 'fail', 'fan', 'final', 'fun', 'game', 'golf', 'guru',
  'hot', 'how', 'ink', 'land', 'lat', 'lol', 'love', 'men', 'mom', 'moda', 'pink', 'plus', 'post', 'press', 'pro', 'prod',
  'rip', 'run', 'safe', 'scot', 'select', 'shop', 'show', 'social', 'solar', 'study', 'style', 'sucks', 'talk', 'tech',
  'today', 'total', 'tube', 'uno', 'vote', 'wang', 'webcam', 'wiki', 'work', 'yoga', 'zip', 'abc', 'dot', 'eat', 'off',
]);

/** First labels that are code receivers, not hosts: `window.top`, `document.domains`, `self.info`. */
export const CODE_RECEIVERS: ReadonlySet<string> = new Set([
  'this', 'self', 'window', 'document', 'parent', 'top', 'me', 'my', 'obj', 'object', 'el', 'elem', 'element', 'e', 'ev',
  'event', 'evt', 'args', 'arg', 'opts', 'options', 'config', 'cfg', 'ctx', 'req', 'res', 'request', 'response', 'result',
  'module', 'exports', 'console', 'math', 'json', 'string', 'array', 'file', 'files', 'path', 'os', 'sys', 'item', 'node',
  'it', 'x', 'y', 'a', 'b', 'c', 'd', 'i', 'j', 'k', 'n', 'o', 'p', 'r', 's', 't', 'u', 'v', 'w', 'z', 'app', 'api',
]);

/**
 * Text just before a dotted quad that marks it as a version, not an address ("version 1.2.3.4",
 * "v10.0.0.1", "FileVersion: 6.1.7601.17514", "OID 1.3.6.1").
 */
export const VERSION_CONTEXT = /(?:version|ver|v|build|release|rev|revision|oid|release-|libtool)[\s:=._-]{0,3}$/i;

/**
 * Dotted quads whose four parts are all single digits are read as versions ("2.0.0.1", "1.2.3.4"
 * in changelogs and manifests) unless they appear inside a URL; four equal digits (the public
 * resolvers 1.1.1.1, 8.8.8.8, 9.9.9.9) are kept.
 */
export const SINGLE_DIGIT_QUAD = /^(?!(\d)\.\1\.\1\.\1$)\d\.\d\.\d\.\d$/;

/** X.509 / ASN.1 object identifiers that look like dotted quads (2.5.29.35, 1.3.6.1, 2.16.840.1). */
export const OID_PREFIX = /^(?:2\.5\.|1\.3\.6\.|2\.16\.|1\.2\.840)/;

/**
 * For names without a scheme, the TLD must be a two-letter country code (outside AMBIGUOUS_TLDS)
 * or one of these: the legacy gTLDs and the newer ones seen in abuse. The other ~1,200 new gTLDs
 * are dictionary words (.auto, .read, .help, .ninja, .box) that collide with config keys and code
 * (`gc.auto`, `runtime.read`); inside a URL every ICANN TLD is accepted.
 */
export const BARE_NAME_TLDS: ReadonlySet<string> = new Set([
  'com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'biz', 'info', 'name', 'arpa', 'xyz', 'top', 'online', 'site', 'club',
  'shop', 'live', 'icu', 'cloud', 'link', 'pro', 'space', 'fun', 'website', 'tech', 'store', 'host', 'press', 'win', 'bid',
  'loan', 'work', 'click', 'buzz', 'rest', 'cyou', 'monster', 'sbs', 'cfd', 'lat', 'quest', 'mobi', 'asia', 'tel', 'onion',
]);
