/** Fuzz target for the Office analyzer: mutated OLE and OOXML documents built by the analyzer's own test fixtures. */
import assert from 'node:assert/strict';
import { analyzeOffice, extractChildren } from '../../../src/analyzers/office/analyze-office.js';
import { OleFormatError } from '../../../src/analyzers/office/ole-reader.js';
import {
  docxPackage, FMTID_SUMMARY, ole10Native, oleFile, propertySetStream, vbaProjectStreams,
} from '../../../src/analyzers/office/testing/office-fixtures.js';
import { bytesAndMutations, expectOnly, fuzzTarget } from '../support/fuzz-target.js';

function officeSeeds(): Buffer[] {
  const macro = [{ name: 'Module1', code: 'Sub AutoOpen()\r\n  Shell "powershell -enc SQBFAFgA"\r\nEnd Sub\r\n' }];
  const doc = oleFile([
    ['WordDocument', Buffer.concat([Buffer.alloc(600, 0x20), Buffer.from('\x13 DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" \x15', 'latin1')])],
    ['ObjectPool/_1/\x01Ole10Native', ole10Native('a.exe', 'C:\\a.exe', Buffer.from('MZ payload'))],
    ['\x05SummaryInformation', propertySetStream(FMTID_SUMMARY, [[1, { type: 'i2', value: 1252 }], [2, { type: 'lpstr', value: 'title' }], [12, { type: 'filetime', value: new Date('2024-01-01T00:00:00Z') }]])],
    ...vbaProjectStreams(macro, 'Macros/'),
  ]);
  const vba = oleFile(vbaProjectStreams([{ name: 'ThisDocument', code: 'Sub Document_Open()\r\nEnd Sub\r\n' }]));
  const docx = docxPackage({
    body: '<w:p><w:fldSimple w:instr="DDEAUTO cmd /c calc"/></w:p>',
    macroEnabled: true,
    documentRels: [
      { id: 'r1', type: 'http://schemas.microsoft.com/office/2006/relationships/vbaProject', target: 'vbaProject.bin' },
      { id: 'r2', type: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject', target: 'embeddings/oleObject1.bin' },
    ],
    settingsRels: [{ id: 'r3', type: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate', target: 'http://template.test/t.dotm', external: true }],
    extra: [
      { name: 'word/vbaProject.bin', data: vba, store: true },
      { name: 'word/embeddings/oleObject1.bin', data: oleFile([['\x01Ole10Native', ole10Native('b.js', 'C:\\b.js', Buffer.from('WScript.Echo(1)'))]]) },
    ],
    core: { 'dc:title': 'seed', 'dc:creator': 'assay' },
  });
  return [doc, docx];
}

export const targets = {
  office: fuzzTarget({
    setup: async () => {
      const seeds = officeSeeds();
      const [doc, docx] = await Promise.all(seeds.map((seed) => analyzeOffice(seed)));
      assert.ok(doc!.attributes.office_info && docx!.attributes.openxml_info, 'the seeds are read as Office documents');
      return seeds;
    },
    inputs: (seeds) => bytesAndMutations(seeds, [0x1e, 0x2c, 0x30, 0x3c, 0x44, 0x48, 0x4c]),
    check: async (input) => {
      for (const run of [() => analyzeOffice(input), () => extractChildren(input)]) {
        try {
          const result = await run();
          assert.doesNotThrow(() => JSON.stringify(result, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.length : v)));
        } catch (error) {
          // An OLE header or directory too damaged to read, or a ZIP yauzl refuses (a plain Error).
          expectOnly(error, [OleFormatError, Error], 'Office analysis');
        }
      }
    },
    shortRuns: 300,
  }),
};
