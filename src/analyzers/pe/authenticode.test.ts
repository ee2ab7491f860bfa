// Authenticode: files signed here with osslsigncode and openssl-made certificates; osslsigncode is the reference for the digest.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzePe } from './analyze-pe.js';
import { PeWorkspace } from './testing/build-pe.js';

describe('Authenticode signature_info and authentihash', () => {
  const ws = new PeWorkspace();
  let unsigned = '';

  const certificate = (name: string, subject: string, issuer?: string, withKeyIds = true): void => {
    if (!issuer) {
      ws.run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', subject]);
      return;
    }
    // Without key identifiers an issuer is matched by name alone, as in older certificates.
    ws.file('ext.cnf', `extendedKeyUsage=codeSigning\n${withKeyIds ? '' : 'authorityKeyIdentifier=none\nsubjectKeyIdentifier=none\n'}`);
    ws.run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    ws.run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', '4242', '-out', `${name}.pem`, '-days', '30', '-extfile', 'ext.cnf']);
  };
  const sign = (out: string, chain: string[], hash: string, key = 'leaf'): string => {
    ws.file(`${out}.chain.pem`, Buffer.concat(chain.map((c) => ws.read(`${ws.dir}/${c}.pem`))));
    ws.run('osslsigncode', ['sign', '-certs', `${out}.chain.pem`, '-key', `${key}.key`, '-h', hash, '-in', unsigned, '-out', out]);
    return `${ws.dir}/${out}`;
  };
  /** osslsigncode's own computation of the Authenticode digest of a signed file. */
  const referenceDigest = (file: string): string => {
    let text: string;
    try {
      text = ws.run('osslsigncode', ['verify', '-in', file]);
    } catch (err) {
      text = String((err as { stdout?: string }).stdout ?? '');
    }
    const m = /Calculated message digest\s*:\s*([0-9A-F]+)/.exec(text);
    assert.ok(m, `osslsigncode printed a digest: ${text}`);
    return m[1]!.toLowerCase();
  };

  before(() => {
    unsigned = ws.compile('plain.exe', { 'main.c': 'int main(void) { return 7; }' });
    certificate('ca', '/CN=Assay Test CA');
    certificate('leaf', '/CN=Assay Test Signer/O=Assay', 'ca');
    certificate('impostor', '/CN=Assay Test CA');
    certificate('oldleaf', '/CN=Assay Old Signer', 'ca', false);
  });
  after(() => ws.close());

  it('verifies a good signature, names the signer chain and gives the authentihash osslsigncode computes', () => {
    const signed = sign('signed.exe', ['leaf', 'ca'], 'sha256');
    const { attributes, tags } = analyzePe(ws.read(signed));
    assert.equal(attributes.signature_info?.verified, 'Signed');
    assert.equal(attributes.signature_info.signers, 'Assay Test Signer; Assay Test CA');
    const leaf = attributes.signature_info['signers details']![0]!;
    assert.equal(leaf['cert issuer'], 'Assay Test CA');
    assert.equal(leaf['valid usage'], 'Code Signing');
    assert.equal(leaf.algorithm, 'sha256RSA');
    assert.equal(attributes.signature_info.x509?.length, 2);
    assert.match(attributes.signature_info['signing date'] ?? '', /^\d\d:\d\d [AP]M \d\d\/\d\d\/\d{4}$/);
    assert.equal(attributes.authentihash, referenceDigest(signed));
    assert.ok(tags.includes('signed') && !tags.includes('invalid-signature'));
    // Signing does not change the image hash: the unsigned file has the same authentihash.
    assert.equal(analyzePe(ws.read(unsigned)).attributes.authentihash, attributes.authentihash);
    assert.equal(analyzePe(ws.read(unsigned)).attributes.signature_info, undefined);
  });

  it('checks a SHA-1 signature against the SHA-1 image digest', () => {
    const signed = sign('sha1.exe', ['leaf', 'ca'], 'sha1');
    assert.equal(analyzePe(ws.read(signed)).attributes.signature_info?.verified, 'Signed');
  });

  it('flags a file changed after signing', () => {
    const signed = sign('tampered.exe', ['leaf', 'ca'], 'sha256');
    const bytes = ws.read(signed);
    const before = analyzePe(bytes).attributes.pe_info.sections.find((s) => s.name === '.text')!;
    const textOffset = bytes.indexOf(Buffer.from('.text\0\0\0', 'latin1'));
    const rawPointer = bytes.readUInt32LE(textOffset + 20);
    bytes[rawPointer + 16] ^= 0xff;
    const { attributes, tags } = analyzePe(bytes);
    assert.notEqual(attributes.signature_info?.verified, 'Signed');
    assert.match(attributes.signature_info?.verified ?? '', /modified/);
    assert.ok(tags.includes('signed') && tags.includes('invalid-signature'));
    assert.notEqual(attributes.pe_info.sections.find((s) => s.name === '.text')!.md5, before.md5);
  });

  it('flags a chain whose issuer certificate only has the right name', () => {
    const signed = sign('impostor.exe', ['oldleaf', 'impostor'], 'sha256', 'oldleaf');
    const { attributes, tags } = analyzePe(ws.read(signed));
    assert.match(attributes.signature_info?.verified ?? '', /chain/);
    assert.ok(tags.includes('invalid-signature'));
  });

  it('reports a signature whose DER is cut short as malformed, without throwing', () => {
    const bytes = Buffer.from(ws.read(sign('cut.exe', ['leaf', 'ca'], 'sha256')));
    const secDir = bytes.readUInt32LE(0x3c) + 24 + 112 + 4 * 8; // PE32+ data directory 4
    const certOffset = bytes.readUInt32LE(secDir);
    bytes.fill(0xff, certOffset + 8 + 200);
    const { attributes, tags } = analyzePe(bytes);
    assert.notEqual(attributes.signature_info?.verified, 'Signed');
    assert.ok(tags.includes('invalid-signature'));
  });
});
