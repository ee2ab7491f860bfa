/**
 * Fuzz targets for the binary file parsers: PE, ELF and PDF. Seeds are built here (MinGW,
 * osslsigncode, mcs, gcc, the PDF test builder) or read from the system (/usr/bin/true).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { analyzePdf } from '../../../src/analyzers/pdf/analyze-pdf.js';
import { DEFAULT_PDF_LIMITS } from '../../../src/analyzers/pdf/pdf-limits.js';
import { basicObjects, buildPdf, streamBody } from '../../../src/analyzers/pdf/testing/pdf-builder.js';
import { analyzePe, PeFormatError } from '../../../src/analyzers/pe/analyze-pe.js';
import { DEFAULT_PE_LIMITS } from '../../../src/analyzers/pe/pe-limits.js';
import { PeWorkspace } from '../../../src/analyzers/pe/testing/build-pe.js';
import { minimalPe } from '../../../src/analyzers/pe/testing/minimal-pe.js';
import { bufferReader, DEFAULT_ELF_LIMITS, parseElf } from '../../../src/analyzers/elf/index.js';
import { detectElfPacker } from '../../../src/analyzers/elf/elf-packers.js';
import { bytesAndMutations, expectOnly, fuzzTarget } from '../support/fuzz-target.js';

/** Offsets of the PE header fields a parser trusts: e_lfanew, counts, data directories, section table entries. */
function peFieldOffsets(pe: Buffer): number[] {
  const out = [0x3c];
  const lfanew = pe.readUInt32LE(0x3c);
  if (lfanew + 24 + 2 > pe.length) return out;
  out.push(lfanew, lfanew + 6, lfanew + 20);
  const opt = lfanew + 24;
  const is64 = pe.readUInt16LE(opt) === 0x20b;
  const dirs = opt + (is64 ? 112 : 96);
  out.push(opt, dirs - 4);
  for (let i = 0; i < 16; i++) out.push(dirs + i * 8, dirs + i * 8 + 4);
  const sections = opt + pe.readUInt16LE(lfanew + 20);
  const count = Math.min(pe.readUInt16LE(lfanew + 6), 16);
  for (let i = 0; i < count; i++) for (const f of [8, 12, 16, 20, 36]) out.push(sections + i * 40 + f);
  return out.filter((o) => o < pe.length);
}

function peSeeds(): { seeds: Buffer[]; offsets: number[] } {
  const ws = new PeWorkspace();
  try {
    const seeds: Buffer[] = [minimalPe(0x800).bytes];
    const version = `1 VERSIONINFO\nFILEVERSION 1,2,3,4\nBEGIN\n BLOCK "StringFileInfo"\n BEGIN\n  BLOCK "040904b0"\n  BEGIN\n   VALUE "CompanyName", "Assay"\n   VALUE "FileDescription", "fuzz seed"\n  END\n END\n BLOCK "VarFileInfo"\n BEGIN\n  VALUE "Translation", 0x409, 1200\n END\nEND\n2 RCDATA { "resource" }\n`;
    const exe = ws.compile('seed.exe', { 'main.c': '#include <windows.h>\nint main(void) { return IsDebuggerPresent() + (int)GetTickCount(); }', 'r.rc': version });
    seeds.push(ws.read(exe));
    seeds.push(ws.read(ws.compile('seed.dll', { 'lib.c': '__declspec(dllexport) int alpha(void) { return 1; }\n__declspec(dllexport) int beta(int x) { return x; }' }, { bits: 32, flags: ['-shared'] })));
    ws.run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '30', '-subj', '/CN=Assay Fuzz Signer']);
    ws.run('osslsigncode', ['sign', '-certs', 'c.pem', '-key', 'k.pem', '-h', 'sha256', '-in', exe, '-out', 'signed.exe']);
    seeds.push(ws.read(`${ws.dir}/signed.exe`));
    ws.file('a.cs', 'public static class Seed { public static int Main() { return 3; } }');
    ws.run('mcs', ['-out:dotnet.exe', 'a.cs']);
    seeds.push(ws.read(`${ws.dir}/dotnet.exe`));
    return { seeds, offsets: [...new Set(seeds.flatMap(peFieldOffsets))] };
  } finally {
    ws.close();
  }
}

function elfFieldOffsets(elf: Buffer): number[] {
  const out = [4, 5, 6, 7, 0x10, 0x12, 0x18, 0x20, 0x28, 0x30, 0x34, 0x36, 0x38, 0x3a, 0x3c, 0x3e];
  if (elf.length < 64 || elf[4] !== 2) return out;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const shoff = Number(elf.readBigUInt64LE(0x28));
  for (let i = 0; i < Math.min(elf.readUInt16LE(0x38), 16); i++) for (const f of [0, 8, 0x20, 0x28]) out.push(phoff + i * 56 + f);
  for (let i = 0; i < Math.min(elf.readUInt16LE(0x3c), 40); i++) for (const f of [0, 4, 8, 0x18, 0x20, 0x28, 0x2c, 0x38]) out.push(shoff + i * 64 + f);
  return out.filter((o) => o < elf.length);
}

function elfSeeds(): { seeds: Buffer[]; offsets: number[] } {
  const seeds: Buffer[] = [];
  if (existsSync('/usr/bin/true')) seeds.push(readFileSync('/usr/bin/true'));
  const ws = new PeWorkspace();
  try {
    ws.file('lib.c', 'int exported_one(void) { return 1; }\nint exported_two(int x) { return x * 2; }\n');
    ws.run('gcc', ['-O1', '-s', '-shared', '-fPIC', '-o', 'lib.so', 'lib.c']);
    seeds.push(ws.read(`${ws.dir}/lib.so`));
  } finally {
    ws.close();
  }
  return { seeds, offsets: [...new Set(seeds.flatMap(elfFieldOffsets))] };
}

function pdfSeeds(): Buffer[] {
  const plain = buildPdf(basicObjects(2), { trailer: '/Root 1 0 R' });
  const objects = basicObjects(1, '/OpenAction 30 0 R /Names <</EmbeddedFiles <</Names [(a.txt) 40 0 R]>>>>').filter((o) => o.num !== 1);
  objects.push({ num: 20, body: streamBody('/Type /EmbeddedFile /Filter /FlateDecode', deflateSync(Buffer.from('payload '.repeat(40)))) });
  objects.push({ num: 40, body: '<</Type /Filespec /F (a.txt) /EF <</F 20 0 R>>>>' });
  objects.push({ num: 50, body: streamBody('/Filter [/ASCIIHexDecode /FlateDecode] /DecodeParms [null <</Predictor 12 /Columns 4>>]', Buffer.from(`${deflateSync(Buffer.from([2, 1, 2, 3, 4, 2, 0, 0, 0, 0])).toString('hex')}>`)) });
  objects.push({ num: 60, body: streamBody('/Filter /LZWDecode', Buffer.from([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01])) });
  const rich = buildPdf(objects, {
    trailer: '/Root 1 0 R',
    compressed: [
      { num: 1, body: '<</Type /Catalog /Pages 2 0 R /OpenAction 30 0 R /AA <</O 31 0 R>>>>' },
      { num: 30, body: '<</S /JavaScript /JS (app.alert\\(1\\))>>' },
      { num: 31, body: '<</S /URI /URI (http://example.com/x)>>' },
    ],
  });
  // Tokens that splicing drops into the documents.
  const tokens = Buffer.from('<<>>[]()<>/Length 999999999 obj endobj stream\nendstream R 0 0 R 1 0 R /Filter /FlateDecode /ObjStm /N 99999 /First 0 /Predictor 15 /Columns 0 /Colors 99 /BitsPerComponent 16 /Kids [2 0 R] /Count -1 /Type /Pages /JS /Launch /#4A#53 trailer xref startxref %%EOF \\(', 'latin1');
  return [plain, rich, tokens];
}

const jsonSafe = (value: unknown, what: string): void => {
  assert.doesNotThrow(() => JSON.stringify(value), `${what} is not JSON-serialisable`);
};

export const targets = {
  pe: fuzzTarget({
    setup: async () => {
      const built = peSeeds();
      // Valid seeds, or the mutations explore nothing: each one is a PE, the signed one signed.
      for (const seed of built.seeds) analyzePe(seed);
      assert.ok(built.seeds.some((seed) => analyzePe(seed).tags.includes('signed')));
      return built;
    },
    inputs: ({ seeds, offsets }) => bytesAndMutations(seeds, offsets),
    check: (input) => {
      let analysis;
      try {
        analysis = analyzePe(input);
      } catch (error) {
        expectOnly(error, [PeFormatError], 'analyzePe');
        return;
      }
      const info = analysis.attributes.pe_info;
      const l = DEFAULT_PE_LIMITS;
      assert.ok(info.sections.length <= l.maxSections);
      assert.ok(info.import_list.length <= l.maxImportDlls);
      assert.ok(info.import_list.reduce((n, lib) => n + lib.imported_functions.length, 0) <= l.maxImportFunctions);
      assert.ok((info.exports?.length ?? 0) <= l.maxExports);
      assert.ok((info.resource_details?.length ?? 0) <= l.maxResources);
      for (const lib of info.import_list) assert.ok(lib.library_name.length <= l.maxStringBytes, 'DLL name within the string bound');
      for (const name of info.exports ?? []) assert.ok(name.length <= l.maxStringBytes, 'export name within the string bound');
      jsonSafe(analysis.attributes, 'PE attributes');
      // Parsing is a function of the bytes: the same file gives the same answer.
      assert.deepEqual(analyzePe(input).attributes, analysis.attributes);
    },
    shortRuns: 300,
  }),

  elf: fuzzTarget({
    setup: async () => {
      const built = elfSeeds();
      for (const seed of built.seeds) assert.ok(await parseElf(bufferReader(seed)), 'the ELF seeds parse');
      return built;
    },
    inputs: ({ seeds, offsets }) => bytesAndMutations(seeds, offsets),
    check: async (input) => {
      // The parser's contract: hostile files produce anomalies, never errors.
      const reader = bufferReader(input);
      const elf = await parseElf(reader);
      if (!elf) return;
      await detectElfPacker(reader, elf);
      const l = DEFAULT_ELF_LIMITS;
      assert.ok(elf.sections.length <= l.maxSections && elf.info.section_list.length <= l.maxSections);
      assert.ok(elf.segments.length <= l.maxSegments && elf.info.segment_list.length <= l.maxSegments);
      assert.ok(elf.dynamicSymbols.length <= l.maxSymbols);
      assert.ok(elf.info.shared_libraries.length <= l.maxNeeded);
      for (const lib of elf.info.shared_libraries) assert.ok(Buffer.byteLength(lib) <= l.maxNameBytes * 3, 'library name within the name bound');
      jsonSafe(elf.info, 'elf_info');
    },
    shortRuns: 300,
  }),

  pdf: fuzzTarget({
    setup: async () => {
      const seeds = pdfSeeds();
      assert.equal(analyzePdf(seeds[1]!).pdfInfo.num_pages, 1, 'the rich seed is read whole');
      return seeds;
    },
    inputs: (seeds) => bytesAndMutations(seeds, []),
    check: (input) => {
      // No error is documented: a damaged PDF gives a report saying what it found.
      const report = analyzePdf(input);
      const info = report.pdfInfo;
      const l = DEFAULT_PDF_LIMITS;
      const scripts = info.javascript_code as Array<{ code: string }>;
      assert.ok(scripts.length <= l.maxScripts);
      assert.ok(scripts.every((s) => s.code.length <= l.maxScriptChars));
      assert.ok(scripts.reduce((n, s) => n + s.code.length, 0) <= l.maxTotalScriptChars);
      assert.ok((info.urls as string[]).length <= l.maxUrls);
      assert.ok((info.launch_targets as string[]).length <= l.maxUrls);
      assert.ok(report.embeddedFiles.length <= l.maxEmbeddedFiles);
      assert.ok(report.embeddedFiles.every((f) => f.bytes.length <= l.maxEmbeddedFileBytes));
      assert.ok(Number.isInteger(info.num_pages) && (info.num_pages as number) >= 0);
      jsonSafe(info, 'pdf_info');
    },
    shortRuns: 300,
  }),
};
