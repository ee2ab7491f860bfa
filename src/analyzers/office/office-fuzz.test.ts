import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyzeOffice } from './analyze-office.js';
import { readBiffSheets } from './biff-sheets.js';
import { ddeFieldsInWordBinary, ddeFieldsInXml } from './dde-fields.js';
import { parseOle10Native } from './ole10-native.js';
import { OleFormatError } from './ole-reader.js';
import { decompressContainer } from './ovba-decompress.js';
import { readPropertySet } from './property-set.js';
import { docxPackage, FMTID_SUMMARY, oleFile, propertySetStream, vbaProjectStreams } from './testing/office-fixtures.js';

// Fixed seeds: a failure reproduces, and fast-check shrinks it to a small input.
const RUNS = { numRuns: 300, seed: 20261207 };

test('the MS-OVBA decompressor never throws and never exceeds its output limit on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), fc.integer({ min: 0, max: 20_000 }), (bytes, cap) => {
      const input = Buffer.concat([Buffer.from([0x01]), Buffer.from(bytes)]);
      const out = decompressContainer(input, cap);
      assert.ok(out.data.length <= cap);
    }),
    RUNS,
  );
});

test('property sets, BIFF records, Ole10Native and DDE scanners take arbitrary bytes without throwing', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
      const b = Buffer.from(bytes);
      readPropertySet(Buffer.concat([Buffer.from([0xfe, 0xff]), b]));
      readBiffSheets(b);
      parseOle10Native(b);
      ddeFieldsInWordBinary(b);
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (s) => {
      ddeFieldsInXml(`<w:document>${s}</w:document>`);
      ddeFieldsInXml(s);
    }),
    RUNS,
  );
});

/** Overwrites `patches` positions of `base`, as fast-check chooses them. */
function patched(base: Buffer, patches: Array<[number, number]>): Buffer {
  const out = Buffer.from(base);
  for (const [at, value] of patches) out[at % out.length] = value;
  return out;
}

test('damaged OLE documents (summary properties, VBA, streams) are analysed or refused with an Error', async () => {
  const doc = oleFile([
    ['WordDocument', Buffer.alloc(5000, 0x20)],
    ['ObjectPool/_1/Workbook', Buffer.alloc(700, 3)],
    ['ObjectPool/_2/\x01Ole10Native', Buffer.concat([Buffer.from([40, 0, 0, 0, 2, 0]), Buffer.from('a.exe\0C:\\a.exe\0'), Buffer.alloc(8), Buffer.from('C:\\t\0'), Buffer.from([4, 0, 0, 0]), Buffer.from('MZxx')])],
    ['\x05SummaryInformation', propertySetStream(FMTID_SUMMARY, [[1, { type: 'i2', value: 1252 }], [2, { type: 'lpstr', value: 'title' }], [12, { type: 'filetime', value: new Date('2024-01-01T00:00:00Z') }]])],
    ...vbaProjectStreams([{ name: 'Module1', code: 'Sub AutoOpen()\r\n  Shell "calc.exe"\r\nEnd Sub\r\n' }], 'Macros/'),
  ]);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 30 }), async (patches) => {
      try {
        await analyzeOffice(patched(doc, patches.map(([at, v]) => [(at % 3 === 0 ? 0 : 512) + (at % (doc.length - 512)), v])));
      } catch (err) {
        // Only a header or directory too damaged to read refuses the file; everything else is read around.
        assert.ok(err instanceof OleFormatError, String(err));
      }
    }),
    { numRuns: 200, seed: 7 },
  );
});

test('damaged OOXML packages are analysed or refused with an Error', async () => {
  const vba = oleFile(vbaProjectStreams([{ name: 'M', code: 'Sub Document_Open()\r\nEnd Sub\r\n' }]));
  const docx = docxPackage({ body: '<w:p/>', macroEnabled: true, documentRels: [{ id: 'r1', type: 'http://schemas.microsoft.com/office/2006/relationships/vbaProject', target: 'vbaProject.bin' }], extra: [{ name: 'word/vbaProject.bin', data: vba, store: true }] });
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }), async (patches) => {
      try {
        await analyzeOffice(patched(docx, patches.map(([at, v]) => [4 + (at % (docx.length - 4)), v])));
      } catch (err) {
        // yauzl refuses a damaged central directory with an Error; the worker reports that as malformed.
        assert.ok(err instanceof Error);
      }
    }),
    { numRuns: 200, seed: 8 },
  );
});
