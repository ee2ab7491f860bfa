/**
 * The signer certificate of an APK or JAR (META-INF/*.RSA, *.DSA, *.EC: PKCS#7 SignedData), as VT's
 * androguard `certificate` shows it. A short DER walk finds the first certificate; node's
 * X509Certificate parses it. Bounded by the input (lengths are checked against what remains).
 */
import { X509Certificate } from 'node:crypto';

export interface CertificateInfo {
  Subject: Record<string, string>;
  Issuer: Record<string, string>;
  serialnumber: string;
  thumbprint: string;
  validfrom: string;
  validto: string;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
  /** Where the next element at this level begins. */
  next: number;
}

function tlv(der: Buffer, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const octets = len & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > limit) return undefined;
    len = 0;
    for (let i = 0; i < octets; i++) len = len * 256 + der[start + i]!;
    start += octets;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end, next: end };
}

/** The first certificate in a PKCS#7 SignedData blob, as DER. */
export function firstCertificate(der: Buffer): Buffer | undefined {
  const contentInfo = tlv(der, 0, der.length);
  if (!contentInfo || contentInfo.tag !== 0x30) return undefined;
  const oid = tlv(der, contentInfo.start, contentInfo.end);
  if (!oid || oid.tag !== 0x06) return undefined;
  const explicit = tlv(der, oid.next, contentInfo.end);
  if (!explicit || explicit.tag !== 0xa0) return undefined;
  const signedData = tlv(der, explicit.start, explicit.end);
  if (!signedData || signedData.tag !== 0x30) return undefined;
  // version, digestAlgorithms, encapContentInfo, then [0] IMPLICIT certificates.
  let at = signedData.start;
  for (let i = 0; i < 8 && at < signedData.end; i++) {
    const item = tlv(der, at, signedData.end);
    if (!item) return undefined;
    if (item.tag === 0xa0) {
      const cert = tlv(der, item.start, item.end);
      return cert && cert.tag === 0x30 ? der.subarray(item.start, cert.end) : undefined;
    }
    at = item.next;
  }
  return undefined;
}

/** `C=US\nO=Example\nCN=Name` (node's form) to VT's map, plus `DN` as one line. */
function nameMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parts: string[] = [];
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    out[key] = key in out ? `${out[key]}, ${value}` : value;
    parts.push(`${key}=${value}`);
  }
  out.DN = parts.join(', ');
  return out;
}

/** `2008-02-29 01:33:46` (UTC), as VT prints certificate dates. */
function vtDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString().slice(0, 19).replace('T', ' ');
}

export function signingCertificate(pkcs7: Buffer): CertificateInfo | undefined {
  const der = firstCertificate(pkcs7);
  if (!der) return undefined;
  try {
    const cert = new X509Certificate(der);
    return {
      Subject: nameMap(cert.subject),
      Issuer: nameMap(cert.issuer),
      serialnumber: cert.serialNumber.toLowerCase(),
      thumbprint: cert.fingerprint.replace(/:/g, '').toLowerCase(),
      validfrom: vtDate(cert.validFrom),
      validto: vtDate(cert.validTo),
    };
  } catch {
    return undefined;
  }
}
