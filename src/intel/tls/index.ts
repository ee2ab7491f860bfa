/** Public surface of the TLS certificate intel source. */
export { certificateDict } from './certificate-dict.js';
export { DerError } from './der.js';
export { tlsManifest } from './manifest.js';
export { TlsSource, type TlsSourceOptions } from './tls-source.js';
