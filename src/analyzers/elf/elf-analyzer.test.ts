/** The ELF analyzer against GNU readelf on system and freshly compiled binaries, UPX shapes, and hostile files. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { makeTempDir } from '../../../test/fixtures/analyzers/samples.js';
import { prng } from '../../../test/support/prng.js';
import type { FileInput } from '../../core/plugin.js';
import { bufferReader } from './byte-reader.js';
import { createElfAnalyzer, PACKER_TOOL } from './elf-analyzer.js';
import { parseElf, type ElfInfo } from './elf-parser.js';
import { compareFile, readelfAvailable } from './testing/readelf-reference.js';

const logger = pino({ level: 'silent' });
const never = () => new AbortController().signal;
const input = (p: string): FileInput => ({ path: p, size: 0, md5: '', sha1: '', sha256: path.basename(p), names: [], typeTag: 'elf' });

function hasTool(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skipReadelf = readelfAvailable() ? false : 'readelf (binutils) is not installed';
const skipGcc = hasTool('gcc', ['--version']) ? skipReadelf : 'gcc is not installed';

let temp: ReturnType<typeof makeTempDir>;
const built: Record<string, string> = {};

const LIB_C = `
#include <math.h>
#include <stdio.h>
int assay_exported_answer(double x) { return (int)floor(x) + 42; }
const char assay_exported_banner[] = "UPX! is only a string here";
void assay_exported_hello(void) { puts(assay_exported_banner); }
`;
const MAIN_C = `
#include <stdio.h>
int main(int argc, char **argv) { printf("%d %s\\n", argc, argv[0]); return 0; }
`;

before(() => {
  temp = makeTempDir('elf');
  if (skipGcc) return;
  const src = (name: string, text: string) => {
    const p = path.join(temp.dir, name);
    writeFileSync(p, text);
    return p;
  };
  const lib = src('lib.c', LIB_C);
  const main = src('main.c', MAIN_C);
  const out = (name: string) => path.join(temp.dir, name);
  execFileSync('gcc', ['-shared', '-fPIC', '-O1', '-o', out('libassaytest.so'), lib, '-lm']);
  built.sharedLib = out('libassaytest.so');
  execFileSync('gcc', ['-O1', '-o', out('main64'), main]);
  built.pie64 = out('main64');
  execFileSync('gcc', ['-O1', '-no-pie', '-static', '-o', out('static64'), main]);
  built.static64 = out('static64');
  execFileSync('gcc', ['-c', '-o', out('object64.o'), lib]);
  built.object64 = out('object64.o');
  try {
    execFileSync('gcc', ['-m32', '-O1', '-o', out('main32'), main], { stdio: 'ignore' });
    built.exe32 = out('main32');
  } catch {
    // No multilib: an existing 32-bit ELF from the system, if any (below).
  }
  // Big-endian files, which no x86 toolchain makes: objcopy wraps raw bytes in a big-endian ELF.
  const data = src('data.bin', 'big endian payload');
  for (const bits of ['32', '64']) {
    execFileSync('objcopy', ['-I', 'binary', '-O', `elf${bits}-big`, data, out(`be${bits}.o`)]);
    built[`be${bits}`] = out(`be${bits}.o`);
  }
});

after(() => temp.remove());

/** A few system binaries and libraries, whichever exist here. */
function systemElves(): string[] {
  const candidates = [
    '/bin/ls', '/usr/bin/env', '/usr/bin/gzip', '/usr/bin/readelf', '/usr/lib/x86_64-linux-gnu/libc.so.6',
    '/usr/lib/x86_64-linux-gnu/libz.so.1', '/usr/lib/x86_64-linux-gnu/libcrypto.so.3', '/usr/lib32/libc.so.6', '/lib/ld-linux.so.2',
  ];
  return candidates.filter((p) => existsSync(p));
}

test('system binaries parse to what readelf shows, field by field', { skip: skipReadelf }, async () => {
  const files = systemElves();
  assert.ok(files.length >= 3, `too few system ELF files: ${files.join(', ')}`);
  for (const f of files) {
    const r = await compareFile(f);
    assert.deepEqual(r.differences, [], f);
    assert.ok(r.compared > 30, `${f}: only ${r.compared} values compared`);
  }
});

test('binaries compiled here (shared library, PIE, static, object, 32-bit, big-endian) match readelf', { skip: skipGcc }, async () => {
  const files = Object.values(built);
  if (!built.exe32) {
    const existing32 = ['/usr/lib32/libc.so.6', '/lib/ld-linux.so.2'].find((p) => existsSync(p));
    if (existing32) files.push(existing32);
  }
  let saw32 = false;
  let sawBig = false;
  for (const f of files) {
    const r = await compareFile(f);
    assert.deepEqual(r.differences, [], f);
    saw32 ||= !r.parsed.is64;
    sawBig ||= !r.parsed.littleEndian;
  }
  assert.ok(saw32, 'no 32-bit ELF was compared');
  assert.ok(sawBig, 'no big-endian ELF was compared');
});

test('the compiled library shows its exports, imports and needed libraries as a user expects', { skip: skipGcc }, async () => {
  const analyzer = createElfAnalyzer({ logger });
  await analyzer.start();
  const out = await analyzer.analyze(input(built.sharedLib!), never());
  const info = out.attributes.elf_info as ElfInfo;
  const exports = info.export_list.map((e) => `${e.name}:${e.type}`);
  assert.ok(exports.includes('assay_exported_answer:FUNC'), exports.join());
  assert.ok(exports.includes('assay_exported_banner:OBJECT'), exports.join());
  assert.ok(info.import_list.some((i) => i.name === 'floor' || i.name === 'puts'), JSON.stringify(info.import_list));
  assert.ok(info.shared_libraries.includes('libc.so.6'), info.shared_libraries.join());
  assert.equal(info.header.class, 'ELF64');
  assert.equal(info.header.type, 'DYN (Shared object file)');
  assert.ok(out.tags?.includes('shared-lib') && out.tags.includes('64bits') && out.tags.includes('elf'));
  // The string "UPX!" inside .rodata is not a packer.
  assert.equal(out.attributes.packers, undefined);

  const pie = await analyzer.analyze(input(built.pie64!), never());
  const pieInfo = pie.attributes.elf_info as ElfInfo;
  assert.equal(pieInfo.header.type, 'DYN (Position-Independent Executable file)');
  assert.ok(pieInfo.interp?.startsWith('/lib'), pieInfo.interp);
  assert.match(pieInfo.build_id ?? '', /^[0-9a-f]{40}$/);
  assert.ok(!pie.tags?.includes('shared-lib'));
  assert.ok(pieInfo.segment_list.some((s) => s.segment_type === 'INTERP' && s.resources.includes('.interp')));

  const notElf = path.join(temp.dir, 'not-elf.txt');
  writeFileSync(notElf, 'plain text');
  assert.deepEqual((await analyzer.analyze(input(notElf), never())).attributes, {});
  await analyzer.close();
});

/** A UPX-shaped file: program headers followed by l_info ("UPX!" at +4), no section headers, banner, PackHeader tail. */
function upxShaped(base: Buffer): Buffer {
  const f = Buffer.from(base);
  const phoff = Number(f.readBigUInt64LE(32));
  const phnum = f.readUInt16LE(56);
  f.writeBigUInt64LE(0n, 40); // e_shoff
  f.writeUInt16LE(0, 60); // e_shnum
  f.writeUInt16LE(0, 62); // e_shstrndx
  const linfo = phoff + phnum * 56;
  f.write('UPX!', linfo + 4, 'latin1');
  // Appended so that no table the parser still reads is overwritten (the file stays far below 64 KiB).
  const banner = Buffer.from('$Id: UPX 4.02 Copyright (C) 1996-2024 the UPX Team. All Rights Reserved. $', 'latin1');
  return Buffer.concat([f, banner, Buffer.from('\0\0\0\0UPX!\x0d\x16\x0e\x14\0\0\0\0', 'latin1')]);
}

test('a UPX-shaped ELF is reported in packers and tagged upx; the header and segments still parse', { skip: skipGcc }, async () => {
  const file = path.join(temp.dir, 'upx-shaped');
  writeFileSync(file, upxShaped(readFileSync(built.pie64!)));
  const analyzer = createElfAnalyzer({ logger });
  await analyzer.start();
  const out = await analyzer.analyze(input(file), never());
  assert.deepEqual(out.attributes.packers, { [PACKER_TOOL]: 'UPX 4.02' });
  assert.ok(out.tags?.includes('upx'));
  const info = out.attributes.elf_info as ElfInfo;
  assert.equal(info.section_list.length, 0);
  assert.ok(info.segment_list.length > 0);
  // Without section headers, imports are still found through the dynamic segment.
  assert.ok(info.import_list.some((i) => i.name === 'printf'), JSON.stringify(info.import_list));
  await analyzer.close();
});

test('hostile ELF files: truncated, huge counts, tables outside the file, bad indexes, overlaps, random damage', { skip: skipGcc }, async () => {
  const base = readFileSync(built.sharedLib!);
  const parse = (b: Buffer) => parseElf(bufferReader(b));
  const cases: Array<[string, Buffer]> = [];
  for (let n = 0; n < base.length; n += 97) cases.push([`truncated to ${n}`, base.subarray(0, n)]);
  const edit = (name: string, fn: (b: Buffer) => void) => {
    const b = Buffer.from(base);
    fn(b);
    cases.push([name, b]);
  };
  edit('e_shnum 0xffff', (b) => b.writeUInt16LE(0xffff, 60));
  edit('e_phnum 0xffff', (b) => b.writeUInt16LE(0xffff, 56));
  edit('extended numbering: e_shnum 0, section 0 size 2^32-1', (b) => {
    b.writeUInt16LE(0, 60);
    b.writeBigUInt64LE(0xffffffffn, Number(b.readBigUInt64LE(40)) + 32);
  });
  edit('e_shoff past the end', (b) => b.writeBigUInt64LE(0xfffffffffff0n, 40));
  edit('e_shoff 2^64-1', (b) => b.writeBigUInt64LE(0xffffffffffffffffn, 40));
  edit('e_shstrndx out of range', (b) => b.writeUInt16LE(0xfff0, 62));
  edit('every section offset and size outside the file', (b) => {
    const shoff = Number(b.readBigUInt64LE(40));
    for (let i = 0; i < b.readUInt16LE(60); i++) {
      b.writeBigUInt64LE(0xffffffff00000000n, shoff + i * 64 + 24);
      b.writeBigUInt64LE(0xffffffffffffffffn, shoff + i * 64 + 32);
    }
  });
  edit('section and program header tables overlapping the ELF header', (b) => {
    b.writeBigUInt64LE(0n, 32);
    b.writeBigUInt64LE(0n, 40);
  });
  edit('PT_DYNAMIC pointing at itself with a huge size', (b) => {
    const phoff = Number(b.readBigUInt64LE(32));
    for (let i = 0; i < b.readUInt16LE(56); i++) {
      const at = phoff + i * 56;
      if (b.readUInt32LE(at) === 2) b.writeBigUInt64LE(0xffffffffffffn, at + 32);
    }
  });
  const random = prng(20240601);
  for (let i = 0; i < 300; i++) {
    edit(`random damage ${i}`, (b) => {
      for (let k = 0; k < 16; k++) b[Math.floor(random() * Math.min(b.length, 4096))] = Math.floor(random() * 256);
      const far = Math.floor(random() * b.length);
      b[far] = Math.floor(random() * 256);
    });
  }
  for (const [name, bytes] of cases) {
    const parsed = await parse(bytes).catch((err: Error) => assert.fail(`${name}: threw ${err.message}`));
    if (!parsed) continue;
    assert.ok(parsed.info.section_list.length <= 65_536, name);
    assert.ok(parsed.dynamicSymbols.length <= 500_000, name);
    JSON.stringify(parsed.info);
  }
  const huge = await parse(cases.find(([n]) => n === 'e_shnum 0xffff')![1]);
  assert.ok(huge!.anomalies.some((a) => a.includes('truncated')), huge!.anomalies.join('; '));
  const badIndex = await parse(cases.find(([n]) => n === 'e_shstrndx out of range')![1]);
  assert.ok(badIndex!.info.section_list.every((s) => s.name === ''));
  assert.ok(badIndex!.anomalies.some((a) => a.includes('out of range')));
});
