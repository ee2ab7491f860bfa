/**
 * A minimal DER reader for the certificate fields crypto.X509Certificate does not expose
 * (version, signature algorithm and value, key usage bits, key identifiers, policies).
 * Hand-written because no ASN.1 library is installed and we need only definite-length TLVs,
 * OIDs and bit strings. Every length is checked against its parent; no recursion.
 */

export interface DerNode {
  tag: number;
  /** Offset of the content (after tag and length). */
  start: number;
  /** Offset just past the content. */
  end: number;
}

/** Children per constructed node; a certificate has a handful, extensions a few dozen. */
const MAX_CHILDREN = 1024;

export class DerError extends Error {
  override name = 'DerError';
}

/** The TLV at `offset`, which must end by `limit`. */
export function readNode(buf: Uint8Array, offset: number, limit = buf.length): DerNode {
  if (offset + 2 > limit) throw new DerError('truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used in certificates');
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new DerError('unsupported length form');
    if (start + bytes > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + buf[start + i]!;
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new DerError('content runs past its parent');
  return { tag, start, end };
}

export function children(buf: Uint8Array, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let offset = node.start; offset < node.end; ) {
    if (out.length >= MAX_CHILDREN) throw new DerError('too many elements');
    const child = readNode(buf, offset, node.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

export const content = (buf: Uint8Array, node: DerNode): Uint8Array => buf.subarray(node.start, node.end);

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Dotted text of an OBJECT IDENTIFIER's content. */
export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0 || bytes.length > 64) throw new DerError('bad OID length');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** Content bits of a BIT STRING (its first byte counts unused trailing bits). */
export function bitStringBytes(buf: Uint8Array, node: DerNode): Uint8Array {
  if (node.tag !== 0x03 || node.end <= node.start) throw new DerError('not a BIT STRING');
  return buf.subarray(node.start + 1, node.end);
}

/** DER tags used by certificates. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  SEQUENCE: 0x30,
  /** [0] EXPLICIT, constructed: the version in TBSCertificate, keyIdentifier in AuthorityKeyIdentifier is [0] IMPLICIT (0x80). */
  CONTEXT_0: 0xa0,
  CONTEXT_3: 0xa3,
  CONTEXT_0_PRIMITIVE: 0x80,
} as const;
