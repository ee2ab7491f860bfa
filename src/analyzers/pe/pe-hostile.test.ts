// Hostile PE input: truncation, bad offsets, huge counts, loops and cycles end in a result or a PeFormatError, never a crash or a hang.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { prng } from '../../../test/support/prng.js';
import { analyzePe, PeFormatError, type PeAnalysis } from './analyze-pe.js';
import { DIR } from './pe-image.js';
import { DEFAULT_PE_LIMITS } from './pe-limits.js';
import { PeWorkspace } from './testing/build-pe.js';
import { minimalPe } from './testing/minimal-pe.js';
import { versionStrings } from './version-info.js';

/** analyzePe's outcome: the analysis, or 'not-pe' for a PeFormatError; anything else fails the test. */
function outcome(bytes: Buffer): PeAnalysis | 'not-pe' {
  try {
    return analyzePe(bytes);
  } catch (err) {
    if (err instanceof PeFormatError) return 'not-pe';
    throw err;
  }
}

function analysed(bytes: Buffer): PeAnalysis {
  const result = outcome(bytes);
  assert.notEqual(result, 'not-pe');
  return result as PeAnalysis;
}

describe('hostile PE input', () => {
  const ws = new PeWorkspace();
  let real: Buffer = Buffer.alloc(0);
  before(() => {
    real = ws.read(ws.compile('real.exe', { 'main.c': '#include <windows.h>\nint main(void) { return IsDebuggerPresent(); }', 'r.rc': '1 RCDATA { "x" }' }));
  });
  after(() => ws.close());

  it('refuses non-PE and truncated headers with PeFormatError', () => {
    assert.equal(outcome(Buffer.alloc(0)), 'not-pe');
    assert.equal(outcome(Buffer.from('MZ')), 'not-pe');
    assert.equal(outcome(Buffer.from('not a pe at all, just some text that is long enough to have an e_lfanew field here')), 'not-pe');
    const eLfanew = real.readUInt32LE(0x3c);
    for (const cut of [0x40, eLfanew, eLfanew + 4, eLfanew + 23, eLfanew + 24, eLfanew + 60]) assert.equal(outcome(real.subarray(0, cut)), 'not-pe', `cut at ${cut}`);
  });

  it('analyses every other truncation of a real PE without throwing', () => {
    const eLfanew = real.readUInt32LE(0x3c);
    let analysedCount = 0;
    for (let cut = eLfanew + 100; cut < real.length; cut += 97) {
      const result = outcome(real.subarray(0, cut));
      if (result !== 'not-pe') analysedCount++;
    }
    assert.ok(analysedCount > 0);
  });

  it('refuses an e_lfanew that points outside the file', () => {
    for (const value of [0xfffffff0, real.length - 2, real.length + 10]) {
      const bytes = Buffer.from(real);
      bytes.writeUInt32LE(value >>> 0, 0x3c);
      assert.equal(outcome(bytes), 'not-pe');
    }
  });

  it('reads at most maxSections of 65535 declared sections, and does not hash overlapping ones past its budget', () => {
    const pe = minimalPe(0x200 + 65535 * 40 + 0x1000);
    pe.bytes.writeUInt16LE(65535, pe.numberOfSectionsOffset);
    // The header area is too small for the table, but pefile-style parsing reads it where declared.
    for (let i = 1; i < 65535; i++) {
      const at = pe.sectionTableOffset + i * 40;
      if (at + 40 > pe.bytes.length) break;
      pe.bytes.write(`s${i}`, at, 'latin1');
      pe.bytes.writeUInt32LE(0x1000 * i, at + 12); // distinct VAs
      pe.bytes.writeUInt32LE(pe.bytes.length, at + 16); // every section claims the whole file
      pe.bytes.writeUInt32LE(0, at + 20);
    }
    const result = analysed(pe.bytes);
    assert.equal(result.attributes.pe_info.sections.length, DEFAULT_PE_LIMITS.maxSections);
    assert.ok(result.warnings.some((w) => /sections were read/.test(w)));
    const hashed = result.attributes.pe_info.sections.filter((s) => s.md5 !== '').length;
    assert.ok(hashed < DEFAULT_PE_LIMITS.maxSections, 'the hashing budget stopped overlapping sections');
  });

  it('ends an import table whose descriptors and thunks point back at themselves', () => {
    const pe = minimalPe();
    const b = pe.bytes;
    b.write('evil.dll\0', 0x1000, 'latin1');
    b.write('\0\0Func\0', 0x1100, 'latin1');
    // 20-byte descriptors that never end: each names the same DLL and a thunk array pointing at itself.
    for (let at = 0x400; at + 20 <= 0xc00; at += 20) {
      b.writeUInt32LE(0x1200, at); // OriginalFirstThunk
      b.writeUInt32LE(0x1000, at + 12); // Name
      b.writeUInt32LE(0x1200, at + 16); // FirstThunk
    }
    b.writeUInt32LE(0x1200, 0x1200); // thunk -> itself
    for (let at = 0x1300; at < 0x3000; at += 4) b.writeUInt32LE(0x1100, at); // then thousands of repeats
    pe.directory(DIR.IMPORT, 0x400, 0x800);
    const result = analysed(b);
    assert.ok(result.attributes.pe_info.import_list.length <= DEFAULT_PE_LIMITS.maxImportDlls);

    // The same with a thunk array of endless repeats of one name.
    b.writeUInt32LE(0x1100, 0x1200);
    const repeated = analysed(b);
    const total = repeated.attributes.pe_info.import_list.reduce((n, l) => n + l.imported_functions.length, 0);
    assert.ok(total <= DEFAULT_PE_LIMITS.maxImportFunctions);
  });

  it('ends a resource tree that points back at itself, and one with huge entry counts', () => {
    const pe = minimalPe();
    const b = pe.bytes;
    const base = 0x800;
    // Root directory with one id entry whose subdirectory is the root itself.
    b.writeUInt16LE(1, base + 14);
    b.writeUInt32LE(10, base + 16);
    b.writeUInt32LE(0x80000000, base + 20);
    pe.directory(DIR.RESOURCE, base, 0x100);
    assert.equal(analysed(b).attributes.pe_info.resource_details, undefined);

    // A two-directory cycle.
    b.writeUInt32LE(0x80000040, base + 20);
    b.writeUInt16LE(1, base + 0x40 + 14);
    b.writeUInt32LE(1, base + 0x40 + 16);
    b.writeUInt32LE(0x80000000, base + 0x40 + 20);
    assert.equal(analysed(b).attributes.pe_info.resource_details, undefined);

    // 65535 named + 65535 id entries at every level, all pointing at one data entry.
    const big = minimalPe(0x200 + 0x100000);
    const bb = big.bytes;
    const leaf = 0x300;
    bb.writeUInt32LE(0x400, 0x200 + leaf);
    bb.writeUInt32LE(16, 0x200 + leaf + 4);
    bb.writeUInt16LE(0xffff, 0x200 + 12);
    bb.writeUInt16LE(0xffff, 0x200 + 14);
    for (let i = 0; i < 0x1ffff && 0x200 + 16 + i * 8 + 8 <= bb.length; i++) {
      bb.writeUInt32LE((0x80000000 | 0x7ffffff0) >>> 0, 0x200 + 16 + i * 8); // a name far outside the file
      bb.writeUInt32LE(leaf, 0x200 + 16 + i * 8 + 4);
    }
    big.directory(DIR.RESOURCE, 0x200, 0x100000);
    const result = analysed(bb);
    assert.ok((result.attributes.pe_info.resource_details?.length ?? 0) <= DEFAULT_PE_LIMITS.maxResources);
  });

  it('bounds an export directory that declares 2^32-1 names', () => {
    const pe = minimalPe();
    const b = pe.bytes;
    const dir = 0x400;
    b.writeUInt32LE(0xffffffff, dir + 20); // NumberOfFunctions
    b.writeUInt32LE(0xffffffff, dir + 24); // NumberOfNames
    b.writeUInt32LE(0x1000, dir + 28);
    b.writeUInt32LE(0x2000, dir + 32);
    b.writeUInt32LE(0x3000, dir + 36);
    for (let i = 0; i < 0x400; i++) {
      b.writeUInt32LE(0x500, 0x1000 + i * 4);
      b.writeUInt32LE(0x600, 0x2000 + i * 4);
    }
    b.write('Same\0', 0x600, 'latin1');
    pe.directory(DIR.EXPORT, dir, 40);
    const exports = analysed(b).attributes.pe_info.exports ?? [];
    assert.ok(exports.length <= 10, 'a name repeated at one address ends the walk, as in pefile');
  });

  it('survives a .NET header pointing at garbage and a security directory pointing past the end', () => {
    const pe = minimalPe();
    pe.bytes.fill(0xff, 0x400, 0x800);
    pe.directory(DIR.CLR, 0x400, 72);
    pe.directory(DIR.SECURITY, 0xfffffff0, 0xffff);
    const result = analysed(pe.bytes);
    assert.equal(result.attributes.signature_info, undefined);
    assert.equal(result.attributes.dot_net_assembly, undefined);
    pe.directory(DIR.SECURITY, 0x3000, 0x1000);
    pe.bytes.writeUInt32LE(0x1000, 0x3000);
    pe.bytes.writeUInt16LE(0x0200, 0x3004);
    pe.bytes.writeUInt16LE(2, 0x3006);
    pe.bytes.fill(0x30, 0x3008, 0x4000); // nested SEQUENCE headers with nonsense lengths
    const signed = analysed(pe.bytes);
    assert.ok(signed.tags.includes('invalid-signature'));
  });

  it('never throws anything but PeFormatError on 300 random mutations of a real PE', () => {
    const random = prng(20261207);
    let parsed = 0;
    for (let n = 0; n < 300; n++) {
      const bytes = Buffer.from(real);
      const flips = 1 + Math.floor(random() * 32);
      for (let i = 0; i < flips; i++) {
        // Mostly the headers, where the offsets and counts live.
        const at = random() < 0.7 ? Math.floor(random() * 0x400) : Math.floor(random() * bytes.length);
        bytes[at] = Math.floor(random() * 256);
      }
      if (outcome(bytes) !== 'not-pe') parsed++;
    }
    assert.ok(parsed > 0);
  });
});

describe('hostile version resources', () => {
  it('ends on nodes nested past the depth limit and on thousands of minimal nodes', () => {
    const key = Buffer.from('VS_VERSION_INFO\0', 'utf16le');
    const node = (length: number): Buffer => {
      const header = Buffer.alloc(6);
      header.writeUInt16LE(length, 0);
      header.writeUInt16LE(1, 4);
      return Buffer.concat([header, key, Buffer.alloc(2)]);
    };
    // Each node claims everything after it, so each is the parent of the next.
    const nested = Buffer.concat(Array.from({ length: 2000 }, () => node(0xffff)));
    assert.deepEqual(versionStrings(nested, 0x200), {});
    // A root followed by 10,000 six-byte children.
    const flat = Buffer.concat([node(0xffff), ...Array.from({ length: 10_000 }, () => Buffer.from([6, 0, 0, 0, 1, 0]))]);
    assert.deepEqual(versionStrings(flat, 0x200), {});
    assert.deepEqual(versionStrings(Buffer.alloc(3), 0x200), {});
  });
});
