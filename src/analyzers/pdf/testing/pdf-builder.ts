/**
 * Builds small PDFs for the tests: numbered objects with a correct cross-reference table, or, when
 * some objects go into an object stream, a cross-reference stream (PDF 1.5). qpdf --check accepts
 * what it builds, which the tests verify.
 */
import { deflateSync } from 'node:zlib';

export interface PdfObjectSpec {
  num: number;
  /** What goes between `N 0 obj` and `endobj`. */
  body: string | Buffer;
}

export interface BuildOptions {
  /** Entries of the trailer besides /Size, e.g. `/Root 1 0 R`. */
  trailer: string;
  version?: string;
  /** Objects to put in one Flate-compressed object stream, numbered `objectStreamNum`. */
  compressed?: Array<{ num: number; body: string }>;
  objectStreamNum?: number;
}

/** A stream object's body with a correct /Length. */
export function streamBody(dictEntries: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`<<${dictEntries} /Length ${data.length}>>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
}

export function buildPdf(objects: PdfObjectSpec[], options: BuildOptions): Buffer {
  const parts: Buffer[] = [Buffer.from(`%PDF-${options.version ?? '1.7'}\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  let offset = parts[0]!.length;
  const offsets = new Map<number, number>();
  const emit = (num: number, body: string | Buffer) => {
    const bytes = Buffer.concat([Buffer.from(`${num} 0 obj\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body, Buffer.from('\nendobj\n', 'latin1')]);
    offsets.set(num, offset);
    parts.push(bytes);
    offset += bytes.length;
  };
  for (const o of objects) emit(o.num, o.body);

  const compressed = options.compressed ?? [];
  if (compressed.length === 0) {
    const size = Math.max(0, ...offsets.keys()) + 1;
    let xref = `xref\n0 ${size}\n0000000000 65535 f \n`;
    for (let n = 1; n < size; n++) {
      const at = offsets.get(n);
      xref += at === undefined ? '0000000000 00000 f \n' : `${String(at).padStart(10, '0')} 00000 n \n`;
    }
    xref += `trailer\n<</Size ${size} ${options.trailer}>>\nstartxref\n${offset}\n%%EOF\n`;
    parts.push(Buffer.from(xref, 'latin1'));
    return Buffer.concat(parts);
  }

  const stmNum = options.objectStreamNum ?? 100;
  let index = '';
  let content = '';
  for (const c of compressed) {
    index += `${c.num} ${content.length} `;
    content += `${c.body}\n`;
  }
  const stmData = Buffer.from(index + content, 'latin1');
  emit(stmNum, streamBody(`/Type /ObjStm /N ${compressed.length} /First ${Buffer.byteLength(index, 'latin1')} /Filter /FlateDecode`, deflateSync(stmData)).subarray(0));
  // The stream above holds the deflated bytes; its /Length was computed on them.
  const xrefNum = Math.max(stmNum, ...offsets.keys(), ...compressed.map((c) => c.num)) + 1;
  const size = xrefNum + 1;
  const xrefOffset = offset;
  const rows = Buffer.alloc(size * 7);
  for (let n = 0; n < size; n++) {
    const row = rows.subarray(n * 7, n * 7 + 7);
    const at = n === xrefNum ? xrefOffset : offsets.get(n);
    const slot = compressed.findIndex((c) => c.num === n);
    if (at !== undefined) {
      row[0] = 1;
      row.writeUInt32BE(at, 1);
    } else if (slot >= 0) {
      row[0] = 2;
      row.writeUInt32BE(stmNum, 1);
      row.writeUInt16BE(slot, 5);
    } else if (n === 0) row.writeUInt16BE(0xffff, 5);
  }
  emit(xrefNum, streamBody(`/Type /XRef /Size ${size} /W [1 4 2] ${options.trailer}`, rows));
  parts.push(Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

/** Catalog (1), page tree (2) and `pages` pages (3...), each with an empty content stream; extra catalog entries allowed. */
export function basicObjects(pages: number, catalogExtra = ''): PdfObjectSpec[] {
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i * 2} 0 R`).join(' ');
  const objects: PdfObjectSpec[] = [
    { num: 1, body: `<</Type /Catalog /Pages 2 0 R ${catalogExtra}>>` },
    { num: 2, body: `<</Type /Pages /Kids [${kids}] /Count ${pages}>>` },
  ];
  for (let i = 0; i < pages; i++) {
    objects.push({ num: 3 + i * 2, body: `<</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents ${4 + i * 2} 0 R>>` });
    objects.push({ num: 4 + i * 2, body: streamBody('', Buffer.from(`BT /F1 12 Tf 20 100 Td (page ${i + 1}) Tj ET`)) });
  }
  return objects;
}
