/**
 * A short description of a blob's format, for `filetype` of resources and the overlay. VirusTotal
 * runs its full type detector there; the pe analyzer may not import the filetype analyzer, and
 * these blobs are mostly the same few formats, so a few leading-byte checks cover them.
 */

const SIGNATURES: ReadonlyArray<{ bytes: number[]; at?: number; name: string }> = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], name: 'PNG' },
  { bytes: [0x47, 0x49, 0x46, 0x38], name: 'GIF' },
  { bytes: [0xff, 0xd8, 0xff], name: 'JPEG' },
  { bytes: [0x42, 0x4d], name: 'BMP' },
  { bytes: [0x4d, 0x5a], name: 'Win32 EXE' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'ZIP' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], name: '7ZIP' },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], name: 'RAR' },
  { bytes: [0x1f, 0x8b], name: 'GZIP' },
  { bytes: [0x25, 0x50, 0x44, 0x46], name: 'PDF' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], name: 'MS Compound Document' },
  { bytes: [0x4d, 0x53, 0x43, 0x46], name: 'CAB' },
  { bytes: [0x00, 0x00, 0x01, 0x00], name: 'ICO' },
  { bytes: [0x00, 0x00, 0x02, 0x00], name: 'CUR' },
];

export function sniffFiletype(data: Uint8Array): string {
  for (const sig of SIGNATURES) {
    const at = sig.at ?? 0;
    if (data.length >= at + sig.bytes.length && sig.bytes.every((b, i) => data[at + i] === b)) return sig.name;
  }
  const head = Buffer.from(data.subarray(0, 512)).toString('latin1');
  if (/^\s*<\?xml/.test(head) || /^\uFEFF?\s*<\?xml/.test(head) || head.startsWith('\xef\xbb\xbf<?xml')) return 'XML';
  if (/^\s*<(!doctype html|html)/i.test(head)) return 'HTML';
  if (data.length > 0 && isText(data.subarray(0, 4096))) return 'ASCII text';
  return 'Data';
}

function isText(sample: Uint8Array): boolean {
  for (const b of sample) if (!(b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f))) return false;
  return true;
}
