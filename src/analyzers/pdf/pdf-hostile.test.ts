/**
 * Hostile PDFs: truncation, reference cycles, object streams that list themselves, deep nesting,
 * huge /Length, a Flate bomb, LZW codes out of range, predictor parameters out of range, huge
 * object counts. Each must give a report (no throw, no hang) and say which bound it hit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDeflate, deflateSync } from 'node:zlib';
import { analyzePdf } from './analyze-pdf.js';
import { decodeStream } from './pdf-filters.js';
import { Budget, DEFAULT_PDF_LIMITS } from './pdf-limits.js';
import { lzwDecode } from './lzw-decode.js';
import { basicObjects, buildPdf, streamBody } from './testing/pdf-builder.js';
import type { PdfDict, PdfValue } from './pdf-values.js';

const limitsHit = (bytes: Buffer, limits = DEFAULT_PDF_LIMITS) => analyzePdf(bytes, limits).pdfInfo.limits_hit as string[];
const pdf = (...objects: string[]) => Buffer.from(`%PDF-1.7\n${objects.join('\n')}\ntrailer\n<</Root 1 0 R>>\n%%EOF\n`, 'latin1');

test('every truncation of a PDF with an object stream, a script and an embedded file gives a report', () => {
  const objects = basicObjects(2, '/OpenAction 30 0 R').filter((o) => o.num !== 1);
  objects.push({ num: 20, body: streamBody('/Type /EmbeddedFile /Filter /FlateDecode', deflateSync(Buffer.from('payload '.repeat(100)))) });
  const bytes = buildPdf(objects, {
    trailer: '/Root 1 0 R',
    compressed: [
      { num: 1, body: '<</Type /Catalog /Pages 2 0 R /OpenAction 30 0 R>>' },
      { num: 30, body: '<</S /JavaScript /JS (app.alert\\(1\\))>>' },
    ],
  });
  const full = analyzePdf(bytes);
  assert.equal(full.pdfInfo.num_pages, 2);
  let reports = 0;
  for (let cut = 0; cut < bytes.length; cut += 3) {
    const report = analyzePdf(bytes.subarray(0, cut));
    assert.equal(typeof report.pdfInfo.num_obj, 'number');
    reports++;
  }
  assert.ok(reports > 100);
});

test('reference cycles: an object that is a reference to itself, a two-object cycle, a cyclic page tree, a self-referencing /Length', () => {
  const bytes = pdf(
    '1 0 obj <</Type /Catalog /Pages 2 0 R /OpenAction 5 0 R>> endobj',
    '2 0 obj <</Type /Pages /Kids [3 0 R 2 0 R 4 0 R] /Count 3>> endobj',
    '3 0 obj <</Type /Page /Parent 2 0 R /Contents 6 0 R>> endobj',
    '4 0 obj <</Type /Pages /Kids [2 0 R 3 0 R]>> endobj',
    '5 0 obj 7 0 R endobj',
    '7 0 obj 5 0 R endobj',
    '8 0 obj 8 0 R endobj',
    '6 0 obj <</Length 9 0 R /Filter 8 0 R>> stream\nBT ET\nendstream endobj',
    '9 0 obj 9 0 R endobj',
  );
  const report = analyzePdf(bytes);
  assert.equal(report.pdfInfo.num_pages, 1, 'the one page object is counted once');
  assert.ok((report.pdfInfo.findings as string[]).includes('reference cycle'));
});

test('an object stream that lists itself (and one that contains an /ObjStm dictionary) is unpacked once', () => {
  const inner = Buffer.from('7 0 8 30 <</Type /ObjStm /N 1 /First 4>>\n<</JS (x\\(\\))>>', 'latin1');
  const bytes = pdf(
    '1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj',
    '2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj',
    streamBody('/Type /ObjStm /N 2 /First 9 /Filter /FlateDecode', deflateSync(inner)).toString('latin1').replace(/^/, '7 0 obj\n') + '\nendobj',
  );
  const report = analyzePdf(bytes);
  assert.ok((report.pdfInfo.findings as string[]).includes('object stream lists itself'));
  assert.equal(report.pdfInfo.js, 1);
});

test('10,000 nested arrays and dictionaries are skipped past the nesting bound; objects after them are still read', () => {
  const deep = '['.repeat(10_000) + ']'.repeat(10_000);
  const deepDict = '<</A '.repeat(10_000) + '>>'.repeat(10_000);
  const bytes = pdf(
    '1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj',
    `3 0 obj ${deep} endobj`,
    `4 0 obj ${deepDict} endobj`,
    `5 0 obj ${'['.repeat(10_000)} endobj`,
    '2 0 obj <</Type /Pages /Kids [6 0 R] /Count 1>> endobj',
    '6 0 obj <</Type /Page /Parent 2 0 R>> endobj',
  );
  const report = analyzePdf(bytes);
  assert.ok((report.pdfInfo.limits_hit as string[]).includes('nesting'));
  assert.equal(report.pdfInfo.num_pages, 1);
});

test('a huge or negative /Length falls back to the next endstream', () => {
  const bytes = pdf(
    '1 0 obj <</Type /Catalog /Pages 2 0 R /OpenAction 3 0 R>> endobj',
    '2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj',
    '3 0 obj <</S /JavaScript /JS 4 0 R>> endobj',
    '4 0 obj <</Length 99999999999999999999>> stream\napp.alert(4)\nendstream endobj',
    '5 0 obj <</Length -5>> stream\nabc\nendstream endobj',
    '6 0 obj <</Length 10>> stream\nno end marker at all',
  );
  const report = analyzePdf(bytes);
  assert.deepEqual((report.pdfInfo.javascript_code as Array<{ code: string }>).map((s) => s.code), ['app.alert(4)']);
  assert.ok((report.pdfInfo.findings as string[]).includes('stream without endstream'));
});

test('a Flate bomb (1 GiB of zeros) stops at the per-stream bound, and memory stays bounded', async () => {
  const bomb = await deflateZeros(1024);
  const bytes = pdf(
    '1 0 obj <</Type /Catalog /Pages 2 0 R /Names <</EmbeddedFiles <</Names [(bomb) 3 0 R]>>>>>> endobj',
    '2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj',
    '3 0 obj <</Type /Filespec /F (bomb.bin) /EF <</F 4 0 R>>>> endobj',
    `4 0 obj ${streamBody('/Type /EmbeddedFile /Filter /FlateDecode', bomb).toString('latin1')} endobj`,
    `5 0 obj ${streamBody('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', bomb).toString('latin1')} endobj`,
  );
  const before = process.memoryUsage().rss;
  const report = analyzePdf(bytes);
  const grown = process.memoryUsage().rss - before;
  assert.ok((report.pdfInfo.limits_hit as string[]).includes('stream_decoded_bytes'));
  assert.equal((report.pdfInfo.embedded_files as Array<{ complete?: boolean }>)[0]?.complete, false);
  assert.ok(grown < 512 * 1024 * 1024, `rss grew by ${grown} bytes`);
});

test('the total decoded bytes are bounded across streams', () => {
  const chunk = deflateSync(Buffer.alloc(4 * 1024 * 1024));
  const streams = Array.from({ length: 12 }, (_, i) => `${10 + i} 0 obj ${streamBody('/Type /ObjStm /N 0 /First 0 /Filter /FlateDecode', chunk).toString('latin1')} endobj`);
  const limits = { ...DEFAULT_PDF_LIMITS, maxTotalDecodedBytes: 16 * 1024 * 1024 };
  assert.ok(limitsHit(pdf('1 0 obj <</Type /Catalog>> endobj', ...streams), limits).includes('total_decoded_bytes'));
});

test('LZW: a code beyond the table stops decoding with what came before; EarlyChange and clear codes work', () => {
  // 9-bit codes: 256 (clear), 65 'A', 66 'B', 258 ('AB'), 400 (out of range).
  const codes = [256, 65, 66, 258, 400, 65];
  assert.deepEqual(lzwDecodeCodes(codes), { text: 'ABAB', error: 'code_out_of_range' });
  assert.deepEqual(lzwDecodeCodes([65, 259]), { text: 'A', error: 'code_out_of_range' });
  assert.deepEqual(lzwDecodeCodes([65, 258, 257]), { text: 'AAA', error: undefined }, 'the KwKwK case');
  const big = lzwDecode(packCodes(Array.from({ length: 3000 }, () => 65)), 100);
  assert.equal(big.error, 'output_limit');
  assert.equal(big.data.length, 100);
});

test('predictor parameters out of range are refused, not guessed; a chain of too many filters is not decoded', () => {
  const budget = new Budget(DEFAULT_PDF_LIMITS);
  const resolve = (v: PdfValue | undefined) => v;
  const name = (value: string): PdfValue => ({ kind: 'name', value, escaped: false });
  const num = (value: number): PdfValue => ({ kind: 'num', value });
  const dict = (entries: Array<[string, PdfValue]>): PdfValue => ({ kind: 'dict', entries: new Map(entries) });
  const data = deflateSync(Buffer.alloc(1000, 1));
  for (const parms of [
    [['Predictor', num(12)], ['Colors', num(100_000)]],
    [['Predictor', num(12)], ['Columns', num(2 ** 40)]],
    [['Predictor', num(12)], ['Columns', num(-3)]],
    [['Predictor', num(99)]],
    [['Predictor', num(12)], ['BitsPerComponent', num(7)]],
  ] as Array<Array<[string, PdfValue]>>) {
    const entries: PdfDict = new Map([['Filter', name('FlateDecode')], ['DecodeParms', dict(parms)]]);
    const out = decodeStream(entries, data, resolve, budget);
    assert.equal(out.complete, false, JSON.stringify(parms.map(([k, v]) => [k, (v as { value: number }).value])));
    assert.match(out.problem ?? '', /predictor|PNG/i);
  }
  const chain: PdfDict = new Map([['Filter', { kind: 'array', items: Array.from({ length: 50 }, () => name('AHx')) } as PdfValue]]);
  assert.equal(decodeStream(chain, Buffer.from('41'), resolve, budget).complete, false);
  assert.ok(budget.hit.has('filters'));
});

test('huge object counts stop at the object bound', () => {
  const many = Array.from({ length: 5000 }, (_, i) => `${i + 10} 0 obj [1 2 3] endobj`);
  const limits = { ...DEFAULT_PDF_LIMITS, maxObjects: 1000 };
  assert.ok(limitsHit(pdf('1 0 obj <</Type /Catalog>> endobj', ...many), limits).includes('objects'));
  const values = { ...DEFAULT_PDF_LIMITS, maxValues: 1000 };
  assert.ok(limitsHit(pdf(`1 0 obj [${'0 '.repeat(100_000)}] endobj`), values).includes('values'));
});

test('random bytes and empty input give an empty report', () => {
  for (const bytes of [Buffer.alloc(0), Buffer.from('%PDF-'), Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251))]) {
    const report = analyzePdf(bytes);
    assert.equal(report.pdfInfo.num_pages, 0);
  }
});

/** zlib data for `mib` MiB of zeros, compressed a chunk at a time so the zeros are never in memory at once. */
async function deflateZeros(mib: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!deflate.write(zeros)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  return Buffer.concat(out);
}

function packCodes(codes: number[]): Buffer {
  // All 9 bits wide: the tests stay below the first width change.
  let bits = '';
  for (const c of codes) bits += c.toString(2).padStart(9, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  return Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
}

function lzwDecodeCodes(codes: number[]): { text: string; error: string | undefined } {
  const out = lzwDecode(packCodes(codes), 1 << 20);
  return { text: out.data.toString('latin1'), error: out.error };
}
