import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { analyzeOffice } from './analyze-office.js';
import { OleFile } from './ole-reader.js';
import { docxPackage, oleFile, ovbaCompress, vbaProjectStreams, zipFile } from './testing/office-fixtures.js';

type Info = Record<string, any>;

/** A fixed-seed generator, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const CODE = 'Sub AutoOpen()\r\n  Shell "calc.exe"\r\nEnd Sub\r\n';

function sample(): Buffer {
  return oleFile([['WordDocument', Buffer.alloc(9000, 0x20)], ...vbaProjectStreams([{ name: 'Module1', code: CODE }], 'Macros/')]);
}

/** The analysis either completes or fails with an Error; anything else (a hang, a non-Error throw) fails the test. */
async function survives(data: Buffer): Promise<Info | undefined> {
  try {
    return (await analyzeOffice(data)).attributes;
  } catch (err) {
    assert.ok(err instanceof Error, `threw ${String(err)}`);
    return undefined;
  }
}

function fatOffset(doc: Buffer, sector: number): number {
  const firstFatSector = doc.readUInt32LE(0x4c);
  return (firstFatSector + 1) * 512 + sector * 4;
}

function dirEntryOffset(doc: Buffer, sid: number): number {
  return (doc.readUInt32LE(0x30) + 1) * 512 + sid * 128;
}

test('a FAT chain that loops ends the stream with a warning', async () => {
  const doc = sample();
  const word = new OleFile(doc).find('WordDocument')!;
  doc.writeUInt32LE(word.start, fatOffset(doc, word.start + 1));
  const ole = new OleFile(doc);
  const data = ole.read(ole.find('WordDocument')!);
  assert.ok(data.length < 9000);
  assert.ok(ole.warnings.some((w) => /loops/.test(w)), ole.warnings.join('; '));
  const info = (await survives(doc))!.office_info as Info;
  assert.equal(info.ole.num_macros, 1, 'the macros elsewhere in the file are still read');
});

test('a stream that starts inside a looping chain (which runs the cfb package out of memory) reads once round the loop', async () => {
  const doc = sample();
  const word = new OleFile(doc).find('WordDocument')!;
  doc.writeUInt32LE(word.start, fatOffset(doc, word.start + 1));
  doc.writeUInt32LE(word.start + 1, dirEntryOffset(doc, word.sid) + 0x74);
  const ole = new OleFile(doc);
  assert.equal(ole.read(ole.find('WordDocument')!).length, 2 * 512);
  assert.ok(ole.warnings.some((w) => /loops/.test(w)));
  await survives(doc);
});

test('a DIFAT chain that loops, and huge declared counts, are bounded', async () => {
  const doc = sample();
  const last = Math.ceil(doc.length / 512) - 2;
  doc.writeUInt32LE(last, 0x44);
  doc.writeUInt32LE(0x7fffffff, 0x48);
  doc.writeUInt32LE(last, (last + 1) * 512 + 508);
  await survives(doc);
  assert.ok(new OleFile(doc).warnings.some((w) => /DIFAT/.test(w)));

  const huge = sample();
  huge.writeUInt32LE(0xffffffff, 0x2c);
  huge.writeUInt32LE(0xffffffff, 0x40);
  huge.writeUInt32LE(0xffffffff, 0x48);
  huge.writeUInt32LE(0, 0x44);
  await survives(huge);
  const sizes = sample();
  const word = new OleFile(sizes).find('WordDocument')!;
  sizes.writeUInt32LE(0xfffffff0, dirEntryOffset(sizes, word.sid) + 0x78);
  const ole = new OleFile(sizes);
  assert.ok(ole.read(ole.find('WordDocument')!).length <= sizes.length, 'a declared 4 GiB stream reads only what its chain holds');
});

test('directory cycles are visited once', async () => {
  const doc = sample();
  const before = new OleFile(doc);
  const macros = before.find('Macros')!;
  // The storage's child points back at itself, and an entry's sibling points at the root's child.
  doc.writeUInt32LE(macros.sid, dirEntryOffset(doc, macros.sid) + 0x4c);
  doc.writeUInt32LE(doc.readUInt32LE(dirEntryOffset(doc, 0) + 0x4c), dirEntryOffset(doc, macros.sid) + 0x44);
  const ole = new OleFile(doc);
  const paths = ole.entries.map((e) => e.path);
  assert.equal(new Set(paths).size, paths.length);
  assert.ok(ole.warnings.some((w) => /cycle/.test(w)));
  await survives(doc);
});

test('truncated and randomly damaged OLE files never crash or hang', async () => {
  const doc = sample();
  for (let len = 0; len <= doc.length; len += 61) await survives(doc.subarray(0, len));
  const rand = lcg(11);
  for (let i = 0; i < 300; i++) {
    const bad = Buffer.from(doc);
    for (let j = 0; j < 1 + Math.floor(rand() * 40); j++) bad[8 + Math.floor(rand() * (bad.length - 8))] = Math.floor(rand() * 256);
    await survives(bad);
  }
});

test('a VBA module that decompresses without end is cut at the module limit', async () => {
  const streams = vbaProjectStreams([{ name: 'Module1', code: CODE }]);
  const chunk = ovbaCompress(Buffer.alloc(4096, 0x41)).subarray(1);
  const bomb = Buffer.concat([Buffer.from([0x01]), ...Array.from({ length: 4000 }, () => chunk)]);
  const doc = oleFile(streams.map(([p, b]) => [p, p === 'VBA/Module1' ? bomb : b]));
  const info = (await analyzeOffice(doc, { vba: { maxModules: 10, maxModuleBytes: 1 << 20, maxTotalBytes: 4 << 20 }, zip: { maxEntries: 10, maxPartBytes: 1, maxTotalBytes: 1, maxRatio: 1 } })).attributes.office_info as Info;
  const macro = info.ole.macros[0];
  assert.equal(macro.length, 1 << 20);
  assert.equal(macro.truncated, true);
});

test('OOXML zip bombs, lying sizes and huge entry counts are refused', async () => {
  const bombed = docxPackage({ body: '', extra: [{ name: 'word/header1.xml', data: Buffer.alloc(16 << 20, 0x20) }] });
  const info = (await survives(bombed))!.openxml_info as Info;
  assert.ok(info.warnings.some((w: string) => /word\/header1\.xml: compression ratio/.test(w)), info.warnings.join('; '));
  assert.equal(info.file_type, 'docx', 'the rest of the package is still described');

  const lying = docxPackage({ body: '', extra: [{ name: 'word/footer1.xml', data: Buffer.alloc(100_000, 0x20), declaredSize: 10 }] });
  const li = (await survives(lying))!.openxml_info as Info;
  assert.ok(li.warnings.some((w: string) => /footer1/.test(w)), li.warnings.join('; '));

  const many = zipFile(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(0), store: true })));
  await assert.rejects(analyzeOffice(many), /10001 entries/);

  assert.ok(deflateRawSync(Buffer.alloc(16 << 20)).length < 100_000, 'the bomb above really is a high-ratio entry');
});

test('a damaged ZIP is reported as an error, not a crash', async () => {
  const docx = docxPackage({ body: '<w:p/>' });
  for (let len = 0; len < docx.length; len += 97) await survives(docx.subarray(0, len));
  const rand = lcg(5);
  for (let i = 0; i < 200; i++) {
    const bad = Buffer.from(docx);
    for (let j = 0; j < 10; j++) bad[4 + Math.floor(rand() * (bad.length - 4))] = Math.floor(rand() * 256);
    await survives(bad);
  }
});

test('storages nested deeper than the limit are not followed', async () => {
  const deep = `${Array.from({ length: 40 }, (_, i) => `s${i}`).join('/')}/leaf`;
  const doc = oleFile([[deep, Buffer.from('x')], ['top', Buffer.from('y')]]);
  const ole = new OleFile(doc);
  assert.ok(ole.find('top'));
  assert.equal(ole.find(deep), undefined);
  assert.ok(ole.warnings.some((w) => /nesting deeper/.test(w)));
  await survives(doc);
});
