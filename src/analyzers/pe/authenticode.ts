/**
 * Authenticode: the `authentihash` (the image hash the Authenticode spec defines: the whole file
 * less the checksum, the security directory entry and the certificate table) and VirusTotal's
 * `signature_info` from the PKCS#7 SignedData in the security directory. `verified` says whether
 * the signed digest matches the file, the signer's signature over its attributes checks out, and
 * each certificate in the chain the signature carries is signed by the next. No trust store and no
 * network: a chain ending at a root the signature does not carry is reported, not refused.
 */
import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import { children, DerError, expectTag, oid, readDer, time, value, whole, type Der } from './der-reader.js';
import { DIR, type PeImage } from './pe-image.js';
import type { Budget } from './pe-limits.js';

export interface CertificateDetails {
  name: string;
  status: string;
  'valid from': string;
  'valid to': string;
  'valid usage'?: string;
  algorithm: string;
  'serial number': string;
  'cert issuer': string;
  thumbprint: string;
}

export interface SignatureInfo {
  verified: string;
  signers: string;
  'signers details': CertificateDetails[];
  x509: CertificateDetails[];
  'signing date'?: string;
}

export interface AuthenticodeResult {
  info: SignatureInfo;
  valid: boolean;
}

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  counterSignature: '1.2.840.113549.1.9.6',
  rfc3161Timestamp: '1.3.6.1.4.1.311.3.3.1',
} as const;

const DIGESTS: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};

const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5RSA',
  '1.2.840.113549.1.1.5': 'sha1RSA',
  '1.2.840.113549.1.1.11': 'sha256RSA',
  '1.2.840.113549.1.1.12': 'sha384RSA',
  '1.2.840.113549.1.1.13': 'sha512RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.1': 'sha1ECDSA',
  '1.2.840.10045.4.3.2': 'sha256ECDSA',
  '1.2.840.10045.4.3.3': 'sha384ECDSA',
  '1.2.840.10045.4.3.4': 'sha512ECDSA',
};

const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.3': 'Code Signing',
  '1.3.6.1.5.5.7.3.8': 'Timestamp Signing',
  '1.3.6.1.5.5.7.3.1': 'Server Authentication',
  '1.3.6.1.5.5.7.3.2': 'Client Authentication',
};

/** The certificate table's [start, end) in the file, when the security directory points inside it. */
function certificateTable(pe: PeImage): [number, number] | undefined {
  // The security directory holds a file offset, not an RVA.
  const dir = pe.directory(DIR.SECURITY);
  if (dir.rva === 0 || dir.size === 0 || dir.rva >= pe.data.length) return undefined;
  return [dir.rva, Math.min(pe.data.length, dir.rva + dir.size)];
}

/** The Authenticode image hash with `algorithm` (sha256 for VirusTotal's `authentihash`). */
export function computeAuthentihash(pe: PeImage, algorithm: string): Buffer {
  const hash = createHash(algorithm);
  const data = pe.data;
  const table = certificateTable(pe);
  const checksum = pe.checksumOffset;
  const secEntry = pe.securityDirEntryOffset;
  const hashEnd = table ? table[0] : data.length;
  hash.update(data.subarray(0, Math.min(checksum, hashEnd)));
  hash.update(data.subarray(Math.min(checksum + 4, hashEnd), Math.min(secEntry, hashEnd)));
  hash.update(data.subarray(Math.min(secEntry + 8, hashEnd), hashEnd));
  if (table) hash.update(data.subarray(table[1]));
  return hash.digest();
}

export function parseAuthenticode(pe: PeImage, budget: Budget): AuthenticodeResult | undefined {
  const table = certificateTable(pe);
  if (!table) return undefined;
  const [start, end] = table;
  if (end - start < 8) return undefined;
  const length = pe.u32(start);
  const certType = pe.u16(start + 6);
  // WIN_CERT_TYPE_PKCS_SIGNED_DATA; other kinds (X.509 alone, reserved) are not Authenticode.
  if (certType !== 2) return undefined;
  const blob = pe.data.subarray(start + 8, Math.min(end, start + Math.max(8, length)));
  budget.check('signature');
  try {
    return readSignedData(pe, blob, budget);
  } catch (err) {
    if (!(err instanceof DerError)) throw err;
    return { valid: false, info: { verified: `Malformed signature: ${err.message}`, signers: '', 'signers details': [], x509: [] } };
  }
}

function readSignedData(pe: PeImage, blob: Buffer, budget: Budget): AuthenticodeResult {
  const contentInfo = children(expectTag(readDer(blob), 0x30, 'ContentInfo'));
  if (oid(contentInfo[0]!) !== OID.signedData) throw new DerError('not a SignedData');
  const signedData = children(expectTag(children(expectTag(contentInfo[1], 0xa0, '[0] content'))[0], 0x30, 'SignedData'));
  // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
  const encap = children(expectTag(signedData[2], 0x30, 'SpcIndirectDataContent info'));
  const indirect = expectTag(children(expectTag(encap[1], 0xa0, '[0] SpcIndirectDataContent'))[0], 0x30, 'SpcIndirectDataContent');
  const digestInfo = children(expectTag(children(indirect)[1], 0x30, 'DigestInfo'));
  const imageDigestAlg = DIGESTS[oid(children(expectTag(digestInfo[0], 0x30, 'AlgorithmIdentifier'))[0]!)];
  const signedImageDigest = value(expectTag(digestInfo[1], 0x04, 'image digest'));

  const certs: X509Certificate[] = [];
  let signerInfosEl: Der | undefined;
  for (const el of signedData.slice(3)) {
    if (el.tag === 0xa0) {
      for (const c of children(el)) {
        if (certs.length >= budget.limits.maxCertificates) break;
        if (c.tag !== 0x30) continue;
        try {
          certs.push(new X509Certificate(whole(c)));
        } catch {
          // A certificate Node cannot read is left out of the chain.
        }
      }
    } else if (el.tag === 0x31) signerInfosEl = el;
  }
  const signerInfo = children(expectTag(children(expectTag(signerInfosEl, 0x31, 'SignerInfos'))[0], 0x30, 'SignerInfo'));
  const sid = children(expectTag(signerInfo[1], 0x30, 'IssuerAndSerialNumber'));
  const serial = normaliseSerial(value(expectTag(sid[1], 0x02, 'serial number')));
  const signerDigestAlg = DIGESTS[oid(children(expectTag(signerInfo[2], 0x30, 'digest algorithm'))[0]!)];
  let at = 3;
  const signedAttrs = signerInfo[at]?.tag === 0xa0 ? signerInfo[at++] : undefined;
  at++; // digestEncryptionAlgorithm
  const encryptedDigest = value(expectTag(signerInfo[at++], 0x04, 'encrypted digest'));
  const unsignedAttrs = signerInfo[at]?.tag === 0xa1 ? signerInfo[at] : undefined;

  const problems: string[] = [];
  // 1. The digest the signer signed is the file's.
  const computed = imageDigestAlg ? computeAuthentihash(pe, imageDigestAlg) : undefined;
  if (!computed || !computed.equals(signedImageDigest)) problems.push('The file was modified after it was signed (the Authenticode digest does not match).');
  // 2. The signed attributes carry the digest of the content, and the signature over them holds.
  const signer = certs.find((c) => normaliseSerial(Buffer.from(c.serialNumber, 'hex')) === serial);
  if (!signedAttrs || !signerDigestAlg) problems.push('The signature has no signed attributes.');
  else {
    const attrs = attributes(signedAttrs);
    const messageDigest = attrs.get(OID.messageDigest);
    const contentDigest = createHash(signerDigestAlg).update(value(indirect)).digest();
    if (!messageDigest || !value(children(messageDigest)[0]!).equals(contentDigest)) problems.push('The signed content digest does not match.');
    if (!signer) problems.push('The signing certificate is not in the signature.');
    else {
      // The signature covers the attributes DER-encoded as a SET, not as the [0] they are stored as.
      const toVerify = Buffer.from(whole(signedAttrs));
      toVerify[0] = 0x31;
      let ok = false;
      try {
        ok = verifySignature(signerDigestAlg, toVerify, signer.publicKey, encryptedDigest);
      } catch {
        ok = false;
      }
      if (!ok) problems.push('The digital signature of the object did not verify.');
    }
  }
  // 3. Each certificate in the signer's chain is signed by the next one the signature carries.
  const chain = signer ? buildChain(signer, certs) : { certs: [], broken: false };
  if (chain.broken) problems.push('A certificate in the chain is not signed by its issuer.');

  // A timestamp countersignature dates the signature; without one, the signer's own claimed time.
  const claimed = signedAttrs ? attributes(signedAttrs).get(OID.signingTime) : undefined;
  const signingDate = (unsignedAttrs ? signingTime(unsignedAttrs) : undefined) ?? (claimed ? time(children(claimed)[0]!) : undefined);
  const details = chain.certs.map((c) => certificateDetails(c, signingDate));
  const info: SignatureInfo = {
    verified: problems.length === 0 ? 'Signed' : problems[0]!,
    signers: details.map((d) => d.name).join('; '),
    'signers details': details,
    x509: certs.map((c) => certificateDetails(c, signingDate)),
  };
  if (signingDate) info['signing date'] = vtDate(signingDate);
  return { info, valid: problems.length === 0 };
}

function buildChain(signer: X509Certificate, bag: X509Certificate[]): { certs: X509Certificate[]; broken: boolean } {
  const chain = [signer];
  let broken = false;
  let current = signer;
  while (chain.length <= bag.length) {
    if (current.checkIssued(current)) {
      // Self-issued: a root; its own signature must hold too.
      if (!current.verify(current.publicKey)) broken = true;
      break;
    }
    const issuer = bag.find((c) => !chain.includes(c) && current.checkIssued(c));
    if (!issuer) break; // the root is normally not carried in the signature
    if (!current.verify(issuer.publicKey)) broken = true;
    chain.push(issuer);
    current = issuer;
  }
  return { certs: chain, broken };
}

function attributes(el: Der): Map<string, Der> {
  const map = new Map<string, Der>();
  for (const attr of children(el)) {
    const parts = children(expectTag(attr, 0x30, 'attribute'));
    const values = expectTag(parts[1], 0x31, 'attribute values');
    map.set(oid(parts[0]!), values);
  }
  return map;
}

/** The time of the countersignature (legacy PKCS#9 signingTime, or an RFC 3161 token's genTime). */
function signingTime(unsigned: Der): Date | undefined {
  const attrs = attributes(unsigned);
  const counter = attrs.get(OID.counterSignature);
  if (counter) {
    const signer = children(children(counter)[0]!);
    const auth = signer.find((e) => e.tag === 0xa0);
    const t = auth ? attributes(auth).get(OID.signingTime) : undefined;
    if (t) return time(children(t)[0]!);
  }
  const token = attrs.get(OID.rfc3161Timestamp);
  if (token) return findGeneralizedTime(whole(token));
  return undefined;
}

/** The first GeneralizedTime in an RFC 3161 token: TSTInfo's genTime, the only one it holds. */
function findGeneralizedTime(buf: Buffer): Date | undefined {
  for (let i = buf.indexOf(0x18); i !== -1 && i + 2 < buf.length; i = buf.indexOf(0x18, i + 1)) {
    const len = buf[i + 1]!;
    if (len < 13 || len > 24 || i + 2 + len > buf.length) continue;
    const date = time({ tag: 0x18, start: i, valueStart: i + 2, end: i + 2 + len, buf });
    if (date) return date;
  }
  return undefined;
}

function normaliseSerial(bytes: Buffer): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i).toString('hex').toUpperCase();
}

function commonName(dn: string): string {
  const lines = dn.split('\n');
  const pick = (key: string): string | undefined => lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
  return pick('CN') ?? pick('O') ?? dn.replace(/\n/g, ', ');
}

function certificateDetails(cert: X509Certificate, at: Date | undefined): CertificateDetails {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  const when = at ?? new Date();
  const details: CertificateDetails = {
    name: commonName(cert.subject),
    status: when < from || when > to ? 'This certificate or one of the certificates in the certificate chain is not time valid.' : 'Valid',
    'valid from': vtDate(from),
    'valid to': vtDate(to),
    algorithm: signatureAlgorithm(cert),
    'serial number': cert.serialNumber.toUpperCase(),
    'cert issuer': commonName(cert.issuer),
    thumbprint: cert.fingerprint.replace(/:/g, '').toUpperCase(),
  };
  const usage = (cert.keyUsage ?? []).map((u) => EKU_NAMES[u] ?? u);
  if (usage.length > 0) details['valid usage'] = usage.join(', ');
  return details;
}

function signatureAlgorithm(cert: X509Certificate): string {
  try {
    const parts = children(readDer(cert.raw));
    const id = oid(children(expectTag(parts[1], 0x30, 'signatureAlgorithm'))[0]!);
    return SIGNATURE_ALGORITHMS[id] ?? id;
  } catch {
    return 'unknown';
  }
}

/** VirusTotal's date format in signature_info: "09:12 AM 03/12/2021" (UTC). */
function vtDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const h = d.getUTCHours();
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(h % 12 === 0 ? 12 : h % 12)}:${two(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'} ${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()}`;
}
