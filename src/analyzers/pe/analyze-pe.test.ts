// PE files built here with MinGW-w64, analysed by analyzePe and compared field by field with Debian's pefile.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyzePe } from './analyze-pe.js';
import { PeWorkspace } from './testing/build-pe.js';
import { differences, pefileFacts } from './testing/pefile-compare.js';

const EXE_WITH_IMPORTS = `
#include <windows.h>
#include <stdio.h>
int main(void) {
  if (IsDebuggerPresent()) return 2;
  char path[MAX_PATH];
  GetModuleFileNameA(NULL, path, sizeof path);
  HMODULE user = LoadLibraryA("user32.dll");
  printf("%s %p\\n", path, (void *)GetProcAddress(user, "MessageBoxA"));
  return (int)GetTickCount() & 1;
}
`;

const DLL_WITH_EXPORTS = `
#include <windows.h>
__declspec(dllexport) int assay_add(int a, int b) { return a + b; }
__declspec(dllexport) int assay_mul(int a, int b) { return a * b; }
__declspec(dllexport) const char *assay_name(void) { return "assay"; }
BOOL WINAPI DllMain(HINSTANCE h, DWORD reason, LPVOID reserved) { (void)h; (void)reason; (void)reserved; return TRUE; }
`;

const RESOURCE_RC = `
#include <windows.h>
1 RCDATA { "assay resource payload", 0x0d0a }
STRINGTABLE LANGUAGE LANG_ENGLISH, SUBLANG_ENGLISH_US { 101, "Hello from Assay" }
STRINGTABLE LANGUAGE LANG_GERMAN, SUBLANG_GERMAN { 101, "Hallo von Assay" }
1 VERSIONINFO FILEVERSION 1,2,3,4 PRODUCTVERSION 1,2,3,4
{ BLOCK "StringFileInfo" { BLOCK "040904b0" { VALUE "ProductName", "Assay test\\0" VALUE "FileDescription", "Assay resource test\\0" VALUE "CompanyName", "Assay\\0" } } BLOCK "VarFileInfo" { VALUE "Translation", 0x409, 1200 } }
`;

describe('analyzePe against pefile', () => {
  const ws = new PeWorkspace();
  const built: Record<string, string> = {};

  before(() => {
    built.exe64 = ws.compile('imports64.exe', { 'main.c': EXE_WITH_IMPORTS });
    built.exe32 = ws.compile('imports32.exe', { 'main.c': EXE_WITH_IMPORTS }, { bits: 32 });
    built.dll64 = ws.compile('exports64.dll', { 'lib.c': DLL_WITH_EXPORTS }, { flags: ['-shared'] });
    built.dll32 = ws.compile('exports32.dll', { 'lib.c': DLL_WITH_EXPORTS }, { bits: 32, flags: ['-shared'] });
    built.res = ws.compile('resources.exe', { 'main.c': 'int main(void) { return 0; }', 'res.rc': RESOURCE_RC });
    const overlay = Buffer.concat([ws.read(built.exe32), Buffer.from('PK\x03\x04 appended overlay bytes '.repeat(50), 'latin1')]);
    built.overlay = ws.file('overlay.exe', overlay);
  });
  after(() => ws.close());

  it('reports what pefile reports for every built file (headers, sections, imports, exports, resources, overlay)', async () => {
    const names = Object.keys(built);
    const refs = await pefileFacts(names.map((n) => built[n]!));
    for (const [i, name] of names.entries()) {
      const ref = refs[i]!;
      assert.equal(ref.error, undefined, `pefile failed on ${name}`);
      const ours = analyzePe(ws.read(built[name]!));
      assert.deepEqual(differences(ours, ref), [], `${name} differs from pefile`);
      assert.ok(ours.attributes.pe_info.sections.length > 0);
    }
  });

  it('lists imports by DLL, computes the imphash and tags debugger checks and 64-bit images', () => {
    const { attributes, tags } = analyzePe(ws.read(built.exe64!));
    const kernel32 = attributes.pe_info.import_list.find((l) => l.library_name.toLowerCase() === 'kernel32.dll');
    assert.ok(kernel32, 'KERNEL32.dll imported');
    for (const f of ['IsDebuggerPresent', 'GetModuleFileNameA', 'LoadLibraryA', 'GetProcAddress']) assert.ok(kernel32.imported_functions.includes(f), f);
    assert.match(attributes.pe_info.imphash, /^[0-9a-f]{32}$/);
    assert.deepEqual(tags.filter((t) => ['peexe', '64bits', 'detect-debug-environment'].includes(t)).sort(), ['64bits', 'detect-debug-environment', 'peexe']);
    assert.equal(attributes.pe_info.machine_type, 0x8664);
    const text = attributes.pe_info.sections.find((s) => s.name === '.text');
    assert.equal(text?.flags, 'rx');
    assert.ok(text.entropy > 0 && text.entropy <= 8 && text.chi2 > 0);
    assert.equal(attributes.authentihash?.length, 64);
  });

  it('lists a DLL\'s exports and tags it pedll', () => {
    const { attributes, tags } = analyzePe(ws.read(built.dll32!));
    assert.ok(tags.includes('pedll') && !tags.includes('64bits'));
    assert.deepEqual(attributes.pe_info.exports?.filter((e) => e.startsWith('assay_')), ['assay_add', 'assay_mul', 'assay_name']);
    assert.equal(attributes.pe_info.machine_type, 0x14c);
  });

  it('counts resources by type and language', () => {
    const info = analyzePe(ws.read(built.res!)).attributes.pe_info;
    assert.equal(info.resource_types?.RT_RCDATA, 1);
    assert.equal(info.resource_types?.RT_STRING, 2);
    assert.equal(info.resource_types?.RT_VERSION, 1);
    assert.equal(info.resource_langs?.['ENGLISH US'], 3);
    assert.equal(info.resource_langs?.GERMAN, 1);
    const rcdata = info.resource_details?.find((r) => r.type === 'RT_RCDATA');
    assert.deepEqual(analyzePe(ws.read(built.res!)).attributes.signature_info, { product: 'Assay test', description: 'Assay resource test' });
    assert.equal(rcdata?.filetype, 'ASCII text');
    assert.match(rcdata.sha256, /^[0-9a-f]{64}$/);
  });

  it('describes appended data as the overlay and tags it', () => {
    const { attributes, tags } = analyzePe(ws.read(built.overlay!));
    const overlay = attributes.pe_info.overlay;
    assert.ok(overlay && tags.includes('overlay'));
    assert.equal(overlay.offset + overlay.size, ws.read(built.overlay!).length);
    assert.equal(overlay.filetype, 'ZIP');
    assert.equal(attributes.packers?.assay, 'ZIP SFX');
    assert.ok(!analyzePe(ws.read(built.exe32!)).tags.includes('overlay'));
  });

  it('hashes a Rich header as pefile does', async () => {
    const withRich = ws.file('rich.exe', insertRichHeader(ws.read(built.exe32!)));
    const [ref] = await pefileFacts([withRich]);
    const ours = analyzePe(ws.read(withRich));
    assert.ok(ref?.rich_pe_header_hash, 'pefile sees the Rich header');
    assert.deepEqual(differences(ours, ref), []);
    assert.deepEqual(ours.attributes.pe_info.compiler_product_versions, ['id: 0x0104, version: 30729 count=12', 'id: 0x00ff, version: 40219 count=3']);
  });
});

/**
 * Puts a Rich header (two tool entries) between the DOS stub and the PE header, moving the NT
 * headers and section table down within SizeOfHeaders, as the Microsoft linker lays them out.
 */
function insertRichHeader(original: Buffer): Buffer {
  const pe = Buffer.from(original);
  const eLfanew = pe.readUInt32LE(0x3c);
  const sections = pe.readUInt16LE(eLfanew + 6);
  const optSize = pe.readUInt16LE(eLfanew + 20);
  const headersEnd = eLfanew + 24 + optSize + sections * 40;
  const key = 0x1234abcd;
  const words = [0x536e6144 ^ key, key, key, key, ((0x0104 << 16) | 30729) ^ key, 12 ^ key, ((0x00ff << 16) | 40219) ^ key, 3 ^ key, 0x68636952, key];
  const rich = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => rich.writeUInt32LE(w >>> 0, i * 4));
  const newLfanew = 0x80 + rich.length;
  const shift = newLfanew - eLfanew;
  assert.ok(pe.subarray(headersEnd, headersEnd + shift).every((b) => b === 0), 'room after the section table');
  const headers = Buffer.from(pe.subarray(eLfanew, headersEnd));
  pe.fill(0, eLfanew, headersEnd + shift);
  headers.copy(pe, newLfanew);
  rich.copy(pe, 0x80);
  pe.writeUInt32LE(newLfanew, 0x3c);
  return pe;
}
