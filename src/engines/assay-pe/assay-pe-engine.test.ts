/** Assay-PE verdicts on PE attributes as the PE analyzer writes them, plus the engine contract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileInput } from '../../core/plugin.js';
import { runEngineContract, tempFile } from '../contract.case.test.js';
import { createAssayPeEngine } from './assay-pe-engine.js';

/** A PE's attributes as the PE analyzer gives them, with a benign default. */
function peAttributes(over: { imports?: Record<string, string[]>; sections?: object[]; packers?: Record<string, string>; version?: boolean } = {}) {
  return {
    type_tag: 'peexe',
    pe_info: {
      timestamp: 1_600_000_000,
      entry_point: 0x1100,
      sections: over.sections ?? [{ name: '.text', virtual_address: 0x1000, virtual_size: 0x4000, raw_size: 0x4000, entropy: 6.1, flags: 'rx' }, { name: '.data', virtual_address: 0x5000, virtual_size: 0x1000, raw_size: 0x1000, entropy: 2, flags: 'rw' }],
      import_list: Object.entries(over.imports ?? { 'KERNEL32.dll': ['CreateFileW', 'ReadFile', 'WriteFile', 'CloseHandle', 'ExitProcess'], 'USER32.dll': ['MessageBoxW'] }).map(([library_name, imported_functions]) => ({ library_name, imported_functions })),
    },
    ...(over.packers ? { packers: over.packers } : {}),
    ...(over.version === false ? {} : { signature_info: { product: 'Example', description: 'An example tool', copyright: '(c) Example' } }),
  };
}

async function pe(content: string | Buffer, attributes: Record<string, unknown>, name = 'sample.exe'): Promise<FileInput> {
  const input = await tempFile(name, content);
  return { ...input, names: [name], typeTag: 'peexe', attributes };
}

const engine = createAssayPeEngine();
await engine.start();
const scan = (input: FileInput) => engine.scan(input, AbortSignal.timeout(30_000));

runEngineContract('Assay-PE', createAssayPeEngine, { benign: await pe('MZ plain program text', peAttributes()) });

describe('Assay-PE verdicts', () => {
  it('an ordinary program with version information is undetected', async () => {
    const v = await scan(await pe('MZ This program cannot be run in DOS mode. Hello, world!', peAttributes()));
    assert.deepEqual([v.category, v.result], ['undetected', null]);
  });

  it('injection imports in a packed program are malicious and named Injector', async () => {
    const attributes = peAttributes({
      imports: { 'KERNEL32.dll': ['VirtualAllocEx', 'WriteProcessMemory', 'CreateRemoteThread', 'OpenProcess'] },
      packers: { assay: 'UPX' },
    });
    const v = await scan(await pe('MZ', attributes));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.PE.Injector']);
  });

  it('one medium signal alone is only suspicious', async () => {
    const v = await scan(await pe('MZ', peAttributes({ packers: { assay: 'UPX' } })));
    assert.deepEqual([v.category, v.result], ['suspicious', 'Assay.PE.Packed']);
  });

  it('an installer is not "packed"', async () => {
    const v = await scan(await pe('MZ', peAttributes({ packers: { assay: 'Nullsoft Installer' } })));
    assert.equal(v.category, 'undetected');
  });

  it('shadow-copy deletion in UTF-16 strings is malicious (Ransom)', async () => {
    const body = Buffer.concat([Buffer.from('MZ\0\0'), Buffer.from('cmd.exe /c vssadmin delete shadows /all /quiet', 'utf16le')]);
    const v = await scan(await pe(body, peAttributes()));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.PE.Ransom']);
  });

  it('a document name on an executable is malicious', async () => {
    const v = await scan(await pe('MZ', peAttributes(), 'Invoice_2024.pdf.exe'));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.PE.Dropper']);
  });

  it('a DLL that exports the injection APIs (a system library) is not an injector', async () => {
    const names = 'VirtualAllocEx\0WriteProcessMemory\0CreateRemoteThread\0';
    const attributes = { ...peAttributes(), pe_info: { ...peAttributes().pe_info, exports: ['VirtualAllocEx', 'WriteProcessMemory', 'CreateRemoteThread'] } };
    const input = { ...(await pe(`MZ\0${names}`, attributes, 'kernel32.dll')), typeTag: 'pedll' };
    assert.equal((await scan(input)).category, 'undetected');
    const resolving = { ...(await pe(`MZ\0${names}GetProcAddress\0`, peAttributes(), 'loader.exe')) };
    assert.deepEqual([(await scan(resolving)).category, (await scan(resolving)).result], ['suspicious', 'Assay.PE.Injector']);
  });

  it('an AutoIt-compiled program with made-up section names and no version information is suspicious', async () => {
    const sections = [{ name: '.text', virtual_address: 0x1000, virtual_size: 0x4000, raw_size: 0x4000, entropy: 6.1, flags: 'rx' }, { name: '.qwzx', virtual_address: 0x5000, virtual_size: 0x1000, raw_size: 0x1000, entropy: 3, flags: 'rw' }];
    const v = await scan(await pe('MZ', peAttributes({ packers: { assay: 'AutoIt' }, sections, version: false })));
    assert.deepEqual([v.category, v.result], ['suspicious', 'Assay.PE.AutoIt']);
  });

  it('attributes of the wrong shape are ignored, not a crash', async () => {
    const hostile = { pe_info: { sections: 'x', import_list: [null, 5, { library_name: 7, imported_functions: [1, null] }], entry_point: 'NaN' }, packers: [1], signature_info: 3 };
    const v = await scan(await pe('MZ', hostile as unknown as Record<string, unknown>));
    assert.ok(['undetected', 'suspicious'].includes(v.category));
  });
});
