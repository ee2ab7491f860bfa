/** The TLS source against loopback servers with openssl-made RSA and EC certificates, checked against openssl's own reading. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { opensslUnavailable, startTlsServer, type TestTlsServer } from '../../../test/support/tls-server.js';
import { PluginError, type ConnectGuard } from '../../core/plugin.js';
import { TlsSource } from './tls-source.js';
import { runIntelSourceContract } from '../contract.case.test.js';

const run = promisify(execFile);
const signal = () => AbortSignal.timeout(10_000);
const allowLoopback: ConnectGuard = async () => ({ address: '127.0.0.1', family: 4 });
const refuseLoopback: ConnectGuard = async (host) => {
  throw new PluginError('address-refused', `${host} resolves to 127.0.0.1, a loopback address`);
};

async function openssl(certPath: string, ...args: string[]): Promise<string> {
  return (await run('openssl', ['x509', '-in', certPath, '-noout', ...args])).stdout;
}

/** The `Signature Value:` hex dump of `openssl x509 -text`. */
async function opensslSignatureHex(certPath: string): Promise<string> {
  const textOut = await openssl(certPath, '-text');
  const dump = textOut.split(/Signature Value:\n/).at(-1) ?? '';
  return dump.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

type Dict = Record<string, any>;

/** The server records a handshake after the client may already have finished it: wait for it, with a deadline. */
async function nextServername(server: TestTlsServer, seenBefore: number): Promise<string | null> {
  const deadline = Date.now() + 5_000;
  while (server.servernames.length <= seenBefore) {
    if (Date.now() > deadline) throw new Error('the server saw no handshake');
    await new Promise((resolve) => setImmediate(resolve));
  }
  return server.servernames[seenBefore]!;
}

describe('TlsSource', { skip: await opensslUnavailable() }, () => {
  let rsa: TestTlsServer;
  let ec: TestTlsServer;
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  before(async () => {
    [rsa, ec] = await Promise.all([startTlsServer({ keyType: 'rsa' }), startTlsServer({ keyType: 'ec', subject: '/CN=ec.assay.test', subjectAltName: 'DNS:ec.assay.test' })]);
  });
  after(async () => {
    await Promise.all([rsa?.close(), ec?.close()]);
  });

  it("renders an RSA certificate as VT's last_https_certificate, matching openssl", async () => {
    const source = new TlsSource({ guard: allowLoopback, port: rsa.port, now: () => now });
    assert.equal((await source.start()).ready, true);
    const seen = rsa.servernames.length;
    const { attributes } = await source.lookup({ kind: 'domain', name: 'tls.assay.test' }, signal());
    assert.equal(attributes.last_https_certificate_date, now / 1000);
    const cert = attributes.last_https_certificate as Dict;
    assert.equal(await nextServername(rsa, seen), 'tls.assay.test', 'SNI carries the domain');

    assert.equal(cert.version, 'V3');
    assert.equal(cert.thumbprint, rsa.opensslSha1);
    assert.equal(cert.thumbprint_sha256, rsa.opensslSha256);
    assert.equal(cert.serial_number, (await openssl(rsa.certPath, '-serial')).trim().replace(/^serial=/, '').toLowerCase());
    assert.equal(cert.size, Buffer.from(rsa.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').length);
    assert.equal(cert.signature_algorithm, 'sha256RSA');
    assert.deepEqual(cert.subject, { C: 'US', O: 'Assay Test', OU: 'Intel', CN: 'tls.assay.test' });
    assert.deepEqual(cert.issuer, cert.subject, 'self-signed');

    const notBefore = Date.parse(`${cert.validity.not_before.replace(' ', 'T')}Z`);
    const notAfter = Date.parse(`${cert.validity.not_after.replace(' ', 'T')}Z`);
    assert.match(cert.validity.not_before, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.equal(notAfter - notBefore, 30 * 24 * 3600_000);
    assert.ok(Math.abs(notBefore - Date.now()) < 10 * 60_000, 'made minutes ago');

    const modulus = (await openssl(rsa.certPath, '-modulus')).trim().replace(/^Modulus=/, '').toLowerCase();
    assert.deepEqual(cert.public_key, { algorithm: 'RSA', rsa: { modulus, exponent: '10001', key_size: 2048 } });

    assert.deepEqual(cert.extensions.subject_alternative_name, ['tls.assay.test', 'www.tls.assay.test', '127.0.0.1']);
    assert.equal(cert.extensions.CA, false);
    assert.deepEqual(cert.extensions.key_usage, ['digitalSignature', 'keyEncipherment']);
    assert.deepEqual(cert.extensions.extended_key_usage, ['serverAuth', 'clientAuth']);
    assert.deepEqual(cert.extensions.ca_information_access, { OCSP: 'http://ocsp.assay.test', 'CA Issuers': 'http://ca.assay.test/ca.crt' });
    assert.match(cert.extensions.subject_key_identifier, /^[0-9a-f]{40}$/);
    assert.deepEqual(cert.extensions.authority_key_identifier, { keyid: cert.extensions.subject_key_identifier });

    assert.equal(cert.cert_signature.signature_algorithm, 'sha256RSA');
    assert.equal(cert.cert_signature.signature, await opensslSignatureHex(rsa.certPath));
  });

  it('renders an EC certificate', async () => {
    const source = new TlsSource({ guard: allowLoopback, port: ec.port });
    const { attributes } = await source.lookup({ kind: 'domain', name: 'ec.assay.test' }, signal());
    const cert = attributes.last_https_certificate as Dict;
    assert.equal(cert.thumbprint, ec.opensslSha1);
    assert.equal(cert.signature_algorithm, 'sha256ECDSA');
    assert.equal(cert.public_key.algorithm, 'EC');
    assert.equal(cert.public_key.ec.oid, 'secp256r1');
    // An uncompressed P-256 point: 04 || x || y.
    assert.match(cert.public_key.ec.pub, /^04[0-9a-f]{128}$/);
    assert.deepEqual(cert.subject, { CN: 'ec.assay.test' });
    assert.equal(cert.cert_signature.signature, await opensslSignatureHex(ec.certPath));
  });

  it('asks an IP address without SNI', async () => {
    const source = new TlsSource({ guard: allowLoopback, port: rsa.port });
    const seen = rsa.servernames.length;
    const { attributes } = await source.lookup({ kind: 'ip', address: '127.0.0.1' }, signal());
    assert.equal((attributes.last_https_certificate as Dict).thumbprint, rsa.opensslSha1);
    assert.equal(await nextServername(rsa, seen), null);
  });

  it('fails with address-refused when the guard refuses, without connecting', async () => {
    const connectionsBefore = rsa.servernames.length;
    const source = new TlsSource({ guard: refuseLoopback, port: rsa.port });
    await assert.rejects(
      source.lookup({ kind: 'domain', name: 'tls.assay.test' }, signal()),
      (err: unknown) => err instanceof PluginError && err.flag === 'address-refused',
    );
    assert.equal(rsa.servernames.length, connectionsBefore);
  });

  it('a closed port is a retryable tls-unreachable failure', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const source = new TlsSource({ guard: allowLoopback, port: closedPort });
    await assert.rejects(
      source.lookup({ kind: 'domain', name: 'tls.assay.test' }, signal()),
      (err: unknown) => err instanceof PluginError && err.flag === 'tls-unreachable' && err.retryable,
    );
  });

  it('a server that never finishes the handshake times out', async () => {
    // Reads (so it sees the client leave) but never answers the ClientHello.
    const mute = net.createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const source = new TlsSource({ guard: allowLoopback, port: (mute.address() as net.AddressInfo).port, timeoutMs: 300 });
      await assert.rejects(source.lookup({ kind: 'domain', name: 'tls.assay.test' }, signal()), { flag: 'tls-timeout' });
    } finally {
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });
});

describe('TlsSource as an intel source', { skip: await opensslUnavailable() }, () => {
  let server: TestTlsServer;
  before(async () => {
    server = await startTlsServer({ keyType: 'rsa' });
  });
  after(() => server?.close());
  runIntelSourceContract('tls', () => new TlsSource({ guard: allowLoopback, port: server.port }), { target: { kind: 'domain', name: 'tls.assay.test' } });
});
