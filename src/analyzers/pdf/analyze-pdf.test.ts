/** pdf_info, tags, JavaScript, launch targets and embedded files of PDFs built here, checked against qpdf and pdfinfo. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { makeTempDir } from '../../../test/fixtures/analyzers/samples.js';
import { analyzePdf } from './analyze-pdf.js';
import { basicObjects, buildPdf, streamBody, type BuildOptions, type PdfObjectSpec } from './testing/pdf-builder.js';
import { pdfinfo, qpdfAttachments, qpdfCheck, qpdfEncrypt, qpdfObjectCount, qpdfPages, referenceToolsSkip as skip } from './testing/reference-tools.js';

let temp: ReturnType<typeof makeTempDir>;
before(() => {
  temp = makeTempDir('pdf');
});
after(() => temp.remove());

/** Writes the PDF, checks that qpdf finds it well-formed, and returns its path and bytes. */
function write(name: string, objects: PdfObjectSpec[], options: BuildOptions, check = true): { file: string; bytes: Buffer } {
  const bytes = buildPdf(objects, options);
  const file = path.join(temp.dir, `${name}.pdf`);
  writeFileSync(file, bytes);
  if (!skip && check) {
    const result = qpdfCheck(file);
    assert.ok(result.ok, `qpdf --check ${name}: ${result.output}`);
  }
  return { file, bytes };
}

const info = (bytes: Buffer) => analyzePdf(bytes).pdfInfo;
const scripts = (bytes: Buffer) => (analyzePdf(bytes).pdfInfo.javascript_code as Array<{ code: string }>).map((s) => s.code);

test('a plain PDF: page and object counts equal qpdf and pdfinfo, no tags', { skip }, () => {
  const { file, bytes } = write('plain', basicObjects(3), { trailer: '/Root 1 0 R' });
  const report = analyzePdf(bytes);
  const pdfInfo = report.pdfInfo;
  assert.equal(pdfInfo.num_pages, pdfinfo(file).pages);
  assert.equal(pdfInfo.num_pages, qpdfPages(file));
  assert.equal(pdfInfo.num_obj, qpdfObjectCount(file));
  assert.equal(pdfInfo.num_endobj, qpdfObjectCount(file));
  assert.equal(pdfInfo.num_stream, 3);
  assert.equal(pdfInfo.num_endstream, 3);
  assert.equal(pdfInfo.header, '%PDF-1.7');
  assert.deepEqual([pdfInfo.xref, pdfInfo.trailer, pdfInfo.startxref], [1, 1, 1]);
  assert.equal(pdfInfo.encrypted, 0);
  assert.equal(pdfinfo(file).encrypted, false);
  assert.deepEqual(report.tags, []);
  assert.deepEqual(pdfInfo.findings, []);
});

test('/OpenAction JavaScript: counted, extracted as text, tagged js-embedded and autoaction', { skip }, () => {
  const code = 'app.alert("opened"); var n = 1 + 2;';
  const objects = basicObjects(1, '/OpenAction 10 0 R');
  objects.push({ num: 10, body: `<</Type /Action /S /JavaScript /JS (${code.replace(/[()\\]/g, '\\$&')})>>` });
  const { file, bytes } = write('openaction-js', objects, { trailer: '/Root 1 0 R' });
  const report = analyzePdf(bytes);
  assert.equal(report.pdfInfo.js, 1);
  assert.equal(report.pdfInfo.javascript, 1);
  assert.equal(report.pdfInfo.openaction, 1);
  assert.equal(report.pdfInfo.num_pages, pdfinfo(file).pages);
  assert.deepEqual(scripts(bytes), [code]);
  assert.deepEqual(report.tags, ['js-embedded', 'autoaction']);
});

test('JavaScript in a Flate stream inside an object stream: found although a raw keyword scan (pdfid) sees none', { skip }, () => {
  const code = 'this.exportDataObject({cName: "x", nLaunch: 2});';
  const objects = basicObjects(2).filter((o) => o.num !== 1);
  objects.push({ num: 20, body: streamBody('/Filter /FlateDecode', deflateSync(Buffer.from(code))) });
  const { file, bytes } = write('objstm-js', objects, {
    trailer: '/Root 1 0 R',
    compressed: [
      { num: 1, body: '<</Type /Catalog /Pages 2 0 R /Names 21 0 R>>' },
      { num: 21, body: '<</JavaScript <</Names [(doc-level) 22 0 R]>>>>' },
      { num: 22, body: '<</S /JavaScript /JS 20 0 R>>' },
    ],
  });
  assert.equal(bytes.includes('/JS'), false, 'the keyword is only inside the compressed object stream');
  const report = analyzePdf(bytes);
  assert.equal(report.pdfInfo.js, 1);
  assert.equal(report.pdfInfo.javascript, 2, '/JavaScript in the name tree key and in /S');
  assert.equal(report.pdfInfo.num_object_streams, 1);
  assert.equal(report.pdfInfo.num_pages, pdfinfo(file).pages);
  assert.equal(report.pdfInfo.num_pages, qpdfPages(file));
  assert.deepEqual(scripts(bytes), [code]);
  assert.ok(report.tags.includes('js-embedded'));
});

test('a /Launch action: counted, its target reported, tagged launch-action', { skip }, () => {
  const objects = basicObjects(1, '/OpenAction 10 0 R');
  objects.push({ num: 10, body: '<</S /Launch /Win <</F (cmd.exe) /P (/c echo harmless)>> /F (notes.txt)>>' });
  const { bytes } = write('launch', objects, { trailer: '/Root 1 0 R' });
  const report = analyzePdf(bytes);
  assert.equal(report.pdfInfo.num_launch_actions, 1);
  assert.deepEqual(new Set(report.pdfInfo.launch_targets as string[]), new Set(['notes.txt', 'cmd.exe /c echo harmless']));
  assert.deepEqual(report.tags, ['autoaction', 'launch-action']);
});

test('an embedded file: returned with the name and bytes qpdf extracts, tagged file-embedded', { skip }, () => {
  const payload = Buffer.from('MZ... not really an executable, just test bytes\n'.repeat(50));
  const objects = basicObjects(1, '/Names <</EmbeddedFiles <</Names [(report.bin) 10 0 R]>>>>');
  objects.push({ num: 10, body: '<</Type /Filespec /F (report.bin) /UF (report.bin) /EF <</F 11 0 R>>>>' });
  objects.push({ num: 11, body: streamBody(`/Type /EmbeddedFile /Filter /FlateDecode /Params <</Size ${payload.length}>>`, deflateSync(payload)) });
  const { file, bytes } = write('embedded', objects, { trailer: '/Root 1 0 R' });
  const report = analyzePdf(bytes);
  const reference = qpdfAttachments(file);
  assert.deepEqual([...reference.keys()], ['report.bin']);
  assert.deepEqual(report.embeddedFiles.map((f) => f.name), ['report.bin']);
  assert.ok(report.embeddedFiles[0]!.bytes.equals(reference.get('report.bin')!));
  assert.ok(report.embeddedFiles[0]!.bytes.equals(payload));
  assert.equal(report.pdfInfo.embedded_file, 1);
  assert.ok(report.tags.includes('file-embedded'));
});

test('names spelled with #xx escapes count as the keyword and as obfuscated, and the script is still found', { skip }, () => {
  const objects = basicObjects(1, '/OpenAction 10 0 R');
  objects.push({ num: 10, body: '<</S /J#61va#53cript /J#53 (app.alert\\(2\\))>>' });
  const { file, bytes } = write('obfuscated', objects, { trailer: '/Root 1 0 R' });
  const report = analyzePdf(bytes);
  assert.equal(report.pdfInfo.js, 1);
  assert.equal(report.pdfInfo.javascript, 1);
  assert.deepEqual(report.pdfInfo.obfuscated_names, { '/JS': 1, '/JavaScript': 1 });
  assert.ok((report.pdfInfo.findings as string[]).some((f) => f.startsWith('names obfuscated')));
  assert.deepEqual(scripts(bytes), ['app.alert(2)']);
  assert.equal(report.pdfInfo.num_pages, pdfinfo(file).pages);
});

test('an encryption dictionary in the trailer: encrypted, tagged; a file qpdf encrypts agrees with pdfinfo', { skip }, () => {
  const objects = basicObjects(2);
  objects.push({ num: 10, body: '<</Filter /Standard /V 1 /R 2 /O <00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff> /U <00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff> /P -4>>' });
  const { bytes } = write('encrypt-dict', objects, { trailer: '/Root 1 0 R /Encrypt 10 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]' }, false);
  const report = analyzePdf(bytes);
  assert.equal(report.pdfInfo.encrypted, 1);
  assert.ok(report.tags.includes('encrypted'));

  const plain = write('to-encrypt', basicObjects(3), { trailer: '/Root 1 0 R' }).file;
  const encrypted = path.join(temp.dir, 'encrypted.pdf');
  qpdfEncrypt(plain, encrypted);
  const reference = pdfinfo(encrypted);
  assert.equal(reference.encrypted, true);
  const got = analyzePdf(readFileSync(encrypted));
  assert.equal(got.pdfInfo.encrypted, 1);
  assert.equal(got.pdfInfo.num_pages, reference.pages);
  assert.ok(got.tags.includes('encrypted'));
});

test('/URI actions and /AA, /AcroForm, /XFA, /RichMedia, /JBIG2Decode and /Colors > 2^24 are counted', () => {
  const objects = basicObjects(1, '/AcroForm <</Fields [] /XFA 12 0 R>>');
  objects[2] = { num: 3, body: '<</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Annots [10 0 R] /AA <</O 11 0 R>>>>' };
  objects.push({ num: 10, body: '<</Type /Annot /Subtype /Link /Rect [0 0 10 10] /A <</S /URI /URI (https://example.test/landing)>>>>' });
  objects.push({ num: 11, body: '<</S /URI /URI (http://example.test/on-open)>>' });
  objects.push({ num: 12, body: streamBody('', Buffer.from('<xdp:xdp/>')) });
  objects.push({ num: 13, body: '<</Type /RichMedia /Filter /JBIG2Decode /DecodeParms <</Colors 16777217>>>>' });
  const { bytes } = write('counts', objects, { trailer: '/Root 1 0 R' });
  const report = analyzePdf(bytes);
  const i = report.pdfInfo;
  assert.deepEqual([i.autoaction, i.acroform, i.xfa, i.flash, i.jbig2_compression, i.suspicious_colors, i.uri], [1, 1, 1, 1, 1, 1, 4]);
  assert.deepEqual(new Set(i.urls as string[]), new Set(['https://example.test/landing', 'http://example.test/on-open']));
  assert.deepEqual(report.tags, ['autoaction', 'acroform', 'xfa', 'flash-embedded']);
});

test('an incremental update: the later definition of an object wins, and both versions\' scripts are kept', { skip }, () => {
  const first = buildPdf([...basicObjects(1, '/OpenAction 10 0 R'), { num: 10, body: '<</S /JavaScript /JS (first\\(\\))>>' }], { trailer: '/Root 1 0 R' });
  const update = Buffer.from('10 0 obj\n<</S /JavaScript /JS (second\\(\\))>>\nendobj\n2 0 obj\n<</Type /Pages /Kids [3 0 R 3 0 R] /Count 2>>\nendobj\ntrailer\n<</Size 11 /Root 1 0 R>>\n%%EOF\n', 'latin1');
  const bytes = Buffer.concat([first, update]);
  const file = path.join(temp.dir, 'update.pdf');
  writeFileSync(file, bytes);
  const report = analyzePdf(bytes);
  assert.equal(report.pdfInfo.num_pages, pdfinfo(file).pages);
  assert.deepEqual(new Set(scripts(bytes)), new Set(['first()', 'second()']));
  assert.equal(report.pdfInfo.trailer, 2);
});
