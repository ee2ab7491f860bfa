/**
 * Renders an X.509 certificate as VT's SSL certificate dict (`last_https_certificate`, vt-api-v3
 * 8.5). crypto.X509Certificate gives names, dates, fingerprints and the key; the DER reader gives
 * the rest (version, signature, extensions).
 */
import type { X509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { DerError, TAG, bitStringBytes, children, content, decodeOid, hex, readNode, type DerNode } from './der.js';

/** Windows-style names, as VT shows them (`sha256RSA`). */
const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5RSA',
  '1.2.840.113549.1.1.5': 'sha1RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.11': 'sha256RSA',
  '1.2.840.113549.1.1.12': 'sha384RSA',
  '1.2.840.113549.1.1.13': 'sha512RSA',
  '1.2.840.113549.1.1.14': 'sha224RSA',
  '1.2.840.10045.4.1': 'sha1ECDSA',
  '1.2.840.10045.4.3.1': 'sha224ECDSA',
  '1.2.840.10045.4.3.2': 'sha256ECDSA',
  '1.2.840.10045.4.3.3': 'sha384ECDSA',
  '1.2.840.10045.4.3.4': 'sha512ECDSA',
  '1.2.840.10040.4.3': 'sha1DSA',
  '2.16.840.1.101.3.4.3.2': 'sha256DSA',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

const EXTENDED_KEY_USAGES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

/** KeyUsage bits in order (RFC 5280 4.2.1.3). */
const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const ACCESS_METHODS: Record<string, string> = {
  '1.3.6.1.5.5.7.48.1': 'OCSP',
  '1.3.6.1.5.5.7.48.2': 'CA Issuers',
};

/** OpenSSL's curve names to the SEC names VT uses. */
const CURVES: Record<string, string> = { prime256v1: 'secp256r1', prime192v1: 'secp192r1' };

const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
};

/** Unknown extensions are shown as hex (like VT) up to this size; bigger ones are left out. */
const MAX_RAW_EXTENSION_BYTES = 2048;

/** `C=US\nO=Let's Encrypt\nCN=R3` to `{C, O, CN}`; repeated attributes are joined. */
function nameDict(name: string): Record<string, string> {
  const dict: Record<string, string> = {};
  for (const line of name.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    dict[key] = dict[key] === undefined ? value : `${dict[key]}, ${value}`;
  }
  return dict;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC; OpenSSL loads certificates whose times no Date can read (month 13, say). */
function vtDate(text: string): string {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new DerError(`unreadable validity time ${JSON.stringify(text)}`);
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

const colonlessHex = (fingerprint: string): string => fingerprint.replaceAll(':', '').toLowerCase();

/** An INTEGER's content as hex without sign-padding zeros. */
function integerHex(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return hex(bytes.subarray(i));
}

function publicKeyDict(cert: X509Certificate, raw: Uint8Array, spki: DerNode): Record<string, unknown> {
  const key = cert.publicKey;
  const [, keyBits] = children(raw, spki);
  const point = keyBits ? bitStringBytes(raw, keyBits) : new Uint8Array(0);
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss': {
      // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
      const rsa = readNode(point, 0);
      const [modulus, exponent] = children(point, rsa);
      return {
        algorithm: 'RSA',
        rsa: {
          modulus: modulus ? integerHex(content(point, modulus)) : '',
          exponent: exponent ? integerHex(content(point, exponent)).replace(/^0+(?=.)/, '') : '',
          key_size: key.asymmetricKeyDetails?.modulusLength,
        },
      };
    }
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
      return { algorithm: 'EC', ec: { oid: CURVES[curve] ?? curve, pub: hex(point) } };
    }
    default:
      return { algorithm: (key.asymmetricKeyType ?? 'unknown').toUpperCase(), pub: hex(point) };
  }
}

/** GeneralNames: dNSName [2] and iPAddress [7] as text. */
function generalNames(raw: Uint8Array, seq: DerNode): string[] {
  const names: string[] = [];
  for (const name of children(raw, seq)) {
    const bytes = content(raw, name);
    if (name.tag === 0x82) names.push(Buffer.from(bytes).toString('latin1'));
    else if (name.tag === 0x87 && (bytes.length === 4 || bytes.length === 16)) names.push(ipaddr.fromByteArray([...bytes]).toString());
  }
  return names;
}

/** URIs ([6]) anywhere in a small structure, e.g. CRL distribution points; bounded by depth. */
function uris(raw: Uint8Array, node: DerNode, depth = 0): string[] {
  if (node.tag === 0x86) return [Buffer.from(content(raw, node)).toString('latin1')];
  if (depth >= 5 || (node.tag & 0x20) === 0) return [];
  return children(raw, node).flatMap((child) => uris(raw, child, depth + 1));
}

function extensionsDict(cert: X509Certificate, raw: Uint8Array, extensionsNode: DerNode | undefined): Record<string, unknown> {
  const dict: Record<string, unknown> = {};
  if (!extensionsNode) return dict;
  const [list] = children(raw, extensionsNode);
  if (!list) return dict;
  for (const extension of children(raw, list)) {
    const parts = children(raw, extension);
    const oid = decodeOid(content(raw, parts[0]!));
    const valueNode = parts.at(-1)!;
    const value = content(raw, valueNode);
    const inner = value.length > 0 ? readNode(value, 0) : undefined;
    switch (oid) {
      case EXT.subjectAltName:
        if (inner) dict.subject_alternative_name = generalNames(value, inner);
        break;
      case EXT.basicConstraints:
        dict.CA = cert.ca;
        break;
      case EXT.keyUsage: {
        if (!inner) break;
        const bits = bitStringBytes(value, inner);
        dict.key_usage = KEY_USAGE_BITS.filter((_, i) => ((bits[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
        break;
      }
      case EXT.extendedKeyUsage:
        if (inner) dict.extended_key_usage = children(value, inner).map((n) => {
          const usage = decodeOid(content(value, n));
          return EXTENDED_KEY_USAGES[usage] ?? usage;
        });
        break;
      case EXT.subjectKeyIdentifier:
        if (inner) dict.subject_key_identifier = hex(content(value, inner));
        break;
      case EXT.authorityKeyIdentifier: {
        const keyId = inner && children(value, inner).find((n) => n.tag === TAG.CONTEXT_0_PRIMITIVE);
        if (keyId) dict.authority_key_identifier = { keyid: hex(content(value, keyId)) };
        break;
      }
      case EXT.authorityInfoAccess: {
        if (!inner) break;
        const access: Record<string, string> = {};
        for (const description of children(value, inner)) {
          const [method, location] = children(value, description);
          if (!method || !location || location.tag !== 0x86) continue;
          const name = decodeOid(content(value, method));
          access[ACCESS_METHODS[name] ?? name] = Buffer.from(content(value, location)).toString('latin1');
        }
        dict.ca_information_access = access;
        break;
      }
      case EXT.crlDistributionPoints:
        if (inner) dict.crl_distribution_points = uris(value, inner);
        break;
      case EXT.certificatePolicies:
        if (inner) dict.certificate_policies = children(value, inner).map((policy) => decodeOid(content(value, children(value, policy)[0]!)));
        break;
      default:
        if (value.length <= MAX_RAW_EXTENSION_BYTES) dict[oid] = hex(value);
    }
  }
  if (dict.CA === undefined) dict.CA = cert.ca;
  return dict;
}

/** VT's certificate dict for `cert`; throws DerError on a certificate too odd to read. */
export function certificateDict(cert: X509Certificate): Record<string, unknown> {
  const raw = new Uint8Array(cert.raw);
  const [tbs, signatureAlgorithm, signatureValue] = children(raw, readNode(raw, 0));
  if (!tbs || !signatureAlgorithm || !signatureValue) throw new Error('certificate is not three elements');
  const fields = children(raw, tbs);
  let version = 1;
  let i = 0;
  if (fields[0]?.tag === TAG.CONTEXT_0) {
    const versionInt = readNode(raw, fields[0].start, fields[0].end);
    version = (raw[versionInt.end - 1] ?? 0) + 1;
    i = 1;
  }
  // serial, signature, issuer, validity, subject, subjectPublicKeyInfo, then optional [1] [2] [3].
  const spki = fields[i + 5];
  if (!spki) throw new Error('certificate has no public key info');
  const extensionsNode = fields.slice(i + 6).find((n) => n.tag === TAG.CONTEXT_3);
  const algorithmOid = decodeOid(content(raw, children(raw, signatureAlgorithm)[0]!));
  const algorithmName = SIGNATURE_ALGORITHMS[algorithmOid] ?? algorithmOid;

  return {
    version: `V${version}`,
    serial_number: cert.serialNumber.toLowerCase(),
    thumbprint: colonlessHex(cert.fingerprint),
    thumbprint_sha256: colonlessHex(cert.fingerprint256),
    signature_algorithm: algorithmName,
    size: raw.length,
    issuer: nameDict(cert.issuer),
    subject: nameDict(cert.subject),
    validity: { not_before: vtDate(cert.validFrom), not_after: vtDate(cert.validTo) },
    public_key: publicKeyDict(cert, raw, spki),
    extensions: extensionsDict(cert, raw, extensionsNode),
    cert_signature: { signature_algorithm: algorithmName, signature: hex(bitStringBytes(raw, signatureValue)) },
  };
}
