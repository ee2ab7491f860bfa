/**
 * The TLS intel source: connects to port 443 of a domain or IP (at the address the guard vetted),
 * takes the certificate the server presents, and renders it as VT's `last_https_certificate`.
 * The certificate is recorded whether or not it validates; that is what an analyst wants to see.
 *
 * No `jarm`: a JARM fingerprint needs ten crafted ClientHellos and raw ServerHello parsing, which
 * Node's TLS stack cannot send; a partial imitation would give wrong fingerprints.
 */
import type { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { PluginError, type ConnectGuard, type IntelResult, type IntelSource, type IntelTarget, type Readiness } from '../../core/plugin.js';
import { certificateDict } from './certificate-dict.js';
import { tlsManifest } from './manifest.js';

export interface TlsSourceOptions {
  /** Resolves and vets the host; refuses private and other forbidden addresses. */
  guard: ConnectGuard;
  port?: number;
  /** Connect plus handshake. */
  timeoutMs?: number;
  cacheTtlMs?: number;
  now?: () => number;
}

/** How long a finished probe waits for the server to close its side before dropping the connection. */
const CLOSE_GRACE_MS = 1_000;
/** Certificates are renewed every few weeks at most; a day is fresh enough. */
const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60_000;

export class TlsSource implements IntelSource {
  readonly manifest = tlsManifest;
  readonly cacheTtlMs: number;
  private readonly guard: ConnectGuard;
  private readonly port: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(options: TlsSourceOptions) {
    this.guard = options.guard;
    this.port = options.port ?? 443;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<Readiness> {
    return { ready: true, detail: `certificates from port ${this.port}; no JARM` };
  }

  async close(): Promise<void> {}

  async lookup(target: IntelTarget, signal: AbortSignal): Promise<IntelResult> {
    const host = target.kind === 'domain' ? target.name : target.address;
    const { address } = await this.guard(host, signal);
    // SNI carries host names only (RFC 6066); an IP target is asked without it.
    const cert = await this.peerCertificate(address, target.kind === 'domain' ? target.name : undefined, signal);
    let dict: Record<string, unknown>;
    try {
      dict = certificateDict(cert);
    } catch (err) {
      throw new PluginError('tls-bad-certificate', `certificate from ${host} could not be read: ${(err as Error).message}`);
    }
    return { attributes: { last_https_certificate: dict, last_https_certificate_date: Math.floor(this.now() / 1000) } };
  }

  private peerCertificate(address: string, servername: string | undefined, signal: AbortSignal): Promise<X509Certificate> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: address,
        port: this.port,
        servername,
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
      // One deadline for connect and handshake together (a socket `timeout` only measures idleness).
      const deadline = setTimeout(() => fail(new PluginError('tls-timeout', `no TLS handshake with ${address}:${this.port} in ${this.timeoutMs} ms`, true)), this.timeoutMs);
      const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      const stopWatching = () => {
        clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (err: Error) => {
        stopWatching();
        socket.destroy();
        reject(err);
      };
      socket.once('secureConnect', () => {
        const cert = socket.getPeerX509Certificate();
        stopWatching();
        // A polite close (close_notify, FIN) lets our last handshake message reach the server;
        // a server that never closes its side is cut off shortly after.
        socket.on('error', () => undefined);
        socket.end();
        setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
        if (cert) resolve(cert);
        else reject(new PluginError('tls-no-certificate', `${address}:${this.port} presented no certificate`));
      });
      socket.once('error', (err: NodeJS.ErrnoException) =>
        fail(new PluginError('tls-unreachable', `TLS connection to ${address}:${this.port} failed: ${err.code ?? err.message}`, true)),
      );
    });
  }
}
