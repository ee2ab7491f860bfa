/** Assay-PDF verdicts on pdf_info shapes, plus the engine contract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileInput } from '../../core/plugin.js';
import { runEngineContract, tempFile } from '../contract.case.test.js';
import { createAssayPdfEngine } from './assay-pdf-engine.js';

const plain = { header: '%PDF-1.7', num_obj: 10, num_endobj: 10, js: 0, javascript: 0, openaction: 0, autoaction: 0, num_launch_actions: 0, embedded_file: 0, xfa: 0 };

async function pdf(info: Record<string, unknown>): Promise<FileInput> {
  const input = await tempFile('sample.pdf', '%PDF-1.7');
  return { ...input, typeTag: 'pdf', attributes: { type_tag: 'pdf', pdf_info: { ...plain, ...info } } };
}

const engine = createAssayPdfEngine();
await engine.start();
const scan = (input: FileInput) => engine.scan(input, AbortSignal.timeout(30_000));

runEngineContract('Assay-PDF', createAssayPdfEngine, { benign: await pdf({}) });

describe('Assay-PDF verdicts', () => {
  it('heap-spray JavaScript run on open is malicious (Exploit)', async () => {
    const v = await scan(await pdf({ js: 1, openaction: 1, javascript_code: [{ object: 3, code: 'var s = unescape("%u9090%u9090"); util.printf("%45000f", 1);' }] }));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.PDF.Exploit']);
  });

  it('a launch action starting cmd is malicious', async () => {
    const v = await scan(await pdf({ num_launch_actions: 1, launch_targets: [{ file: 'cmd.exe', parameters: '/c calc' }] }));
    assert.equal(v.category, 'malicious');
  });

  it('an embedded executable is malicious', async () => {
    assert.equal((await scan(await pdf({ embedded_file: 1, embedded_files: [{ name: 'invoice.exe', size: 1000 }] }))).category, 'malicious');
  });

  it('a form with a little JavaScript (field validation) is undetected', async () => {
    assert.equal((await scan(await pdf({ js: 1, acroform: 1, javascript_code: [{ object: 5, code: 'AFNumber_Format(2, 0, 0, 0, "", true);' }] }))).category, 'undetected');
  });

  it('a plain document is undetected', async () => {
    const v = await scan(await pdf({}));
    assert.deepEqual([v.category, v.result], ['undetected', null]);
  });
});
