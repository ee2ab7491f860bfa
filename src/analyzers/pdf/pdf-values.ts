/** The PDF object model the parser produces: a tagged union of PDF's value types, plus streams. */

export type PdfDict = Map<string, PdfValue>;

export type PdfValue =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'num'; value: number }
  /** `value` has `#xx` escapes decoded; `escaped` tells that the file spelled it with some. */
  | { kind: 'name'; value: string; escaped: boolean }
  | { kind: 'str'; bytes: Buffer }
  | { kind: 'array'; items: PdfValue[] }
  | { kind: 'dict'; entries: PdfDict }
  | { kind: 'ref'; num: number; gen: number }
  /** A stream object: its dictionary and its still-encoded bytes (a view of the file or of a decoded stream). */
  | { kind: 'stream'; entries: PdfDict; raw: Buffer; num: number };

export const PDF_NULL: PdfValue = { kind: 'null' };

/** The dictionary of a dict or stream value, else undefined. */
export function dictOf(value: PdfValue | undefined): PdfDict | undefined {
  return value?.kind === 'dict' || value?.kind === 'stream' ? value.entries : undefined;
}

export function nameOf(value: PdfValue | undefined): string | undefined {
  return value?.kind === 'name' ? value.value : undefined;
}

export function numberOf(value: PdfValue | undefined): number | undefined {
  return value?.kind === 'num' ? value.value : undefined;
}

/**
 * A PDF text string as text: UTF-16 with a byte-order mark (either order), UTF-8 with its BOM
 * (PDF 2.0), else PDFDocEncoding, read as Latin-1 (they differ only in a few punctuation marks).
 */
export function pdfText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const body = bytes.subarray(2, 2 + ((bytes.length - 2) & ~1));
    return Buffer.from(body).swap16().toString('utf16le');
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)).toString('utf16le');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('latin1');
}
