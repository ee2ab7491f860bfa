/**
 * A loopback TLS server with a certificate made at run time by the openssl CLI (RSA or EC), plus
 * openssl's own view of that certificate for tests to compare against.
 */
import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsServerOptions {
  keyType?: 'rsa' | 'ec';
  /** openssl -subj form. */
  subject?: string;
  /** openssl subjectAltName form, e.g. `DNS:a.test,IP:127.0.0.1`. */
  subjectAltName?: string;
  days?: number;
}

export interface TestTlsServer {
  address: '127.0.0.1';
  port: number;
  certPem: string;
  certPath: string;
  /** `openssl x509 -fingerprint` (sha1 and sha256), colons removed, lower case. */
  opensslSha1: string;
  opensslSha256: string;
  /** Host names the server was asked for (SNI), in order; `null` when none was sent. */
  servernames: Array<string | null>;
  close(): Promise<void>;
}

/** Why TLS server tests cannot run here, or undefined when they can. */
export async function opensslUnavailable(): Promise<string | undefined> {
  try {
    await run('openssl', ['version']);
    return undefined;
  } catch {
    return 'the openssl CLI is not installed';
  }
}

async function fingerprint(certPath: string, digest: 'sha1' | 'sha256'): Promise<string> {
  const { stdout } = await run('openssl', ['x509', '-in', certPath, '-noout', '-fingerprint', `-${digest}`]);
  return stdout.trim().replace(/^.*=/, '').replaceAll(':', '').toLowerCase();
}

export async function startTlsServer(options: TlsServerOptions = {}): Promise<TestTlsServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-tls-'));
  try {
    const certPath = path.join(dir, 'cert.pem');
    const keyPath = path.join(dir, 'key.pem');
    const keyArgs = options.keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
    await run('openssl', [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      String(options.days ?? 30),
      '-subj',
      options.subject ?? '/C=US/O=Assay Test/OU=Intel/CN=tls.assay.test',
      '-addext',
      `subjectAltName=${options.subjectAltName ?? 'DNS:tls.assay.test,DNS:www.tls.assay.test,IP:127.0.0.1'}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      '-addext',
      'extendedKeyUsage=serverAuth,clientAuth',
      '-addext',
      'authorityInfoAccess=OCSP;URI:http://ocsp.assay.test,caIssuers;URI:http://ca.assay.test/ca.crt',
    ]);
    const [certPem, keyPem, opensslSha1, opensslSha256] = await Promise.all([
      readFile(certPath, 'utf8'),
      readFile(keyPath, 'utf8'),
      fingerprint(certPath, 'sha1'),
      fingerprint(certPath, 'sha256'),
    ]);
    const servernames: Array<string | null> = [];
    const server = tls.createServer({ cert: certPem, key: keyPem }, (socket) => {
      socket.end();
    });
    server.on('secureConnection', (socket) => servernames.push(typeof socket.servername === 'string' ? socket.servername : null));
    // Clients that drop the connection after the handshake make the server see resets; they are expected.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      address: '127.0.0.1',
      port,
      certPem,
      certPath,
      opensslSha1,
      opensslSha256,
      servernames,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
