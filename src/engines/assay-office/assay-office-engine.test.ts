/** Assay-Office verdicts on office_info/openxml_info shapes and RTF files written in the test, plus the engine contract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileInput } from '../../core/plugin.js';
import { runEngineContract, tempFile } from '../contract.case.test.js';
import { createAssayOfficeEngine } from './assay-office-engine.js';

async function doc(attributes: Record<string, unknown>, typeTag = 'doc', content: string | Buffer = 'document'): Promise<FileInput> {
  const input = await tempFile(`sample.${typeTag}`, content);
  return { ...input, typeTag, attributes };
}

/** office_info.ole as the office analyzer writes it for one VBA module. */
function withMacro(keywords: Array<[string, string]>, properties: string[] = []) {
  return { office_info: { ole: { num_macros: 1, macros: [{ vba_filename: 'ThisDocument.cls', keywords: keywords.map(([type, keyword]) => ({ type, keyword, description: '' })), properties, patterns: [] }], auto_exec: keywords.filter(([t]) => t === 'AutoExec').map(([, k]) => k) } } };
}

const engine = createAssayOfficeEngine();
await engine.start();
const scan = (input: FileInput) => engine.scan(input, AbortSignal.timeout(30_000));

runEngineContract('Assay-Office', createAssayOfficeEngine, { benign: await doc({ office_info: { entries: [] } }) });

describe('Assay-Office verdicts', () => {
  it('an auto-open macro that downloads and runs is malicious (Downloader)', async () => {
    const v = await scan(await doc(withMacro([['AutoExec', 'Document_Open'], ['Suspicious', 'Shell'], ['Suspicious', 'MSXML2.XMLHTTP']], ['auto-open', 'download', 'run-file'])));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Office.Downloader']);
  });

  it('a macro without auto-run or shell access is undetected', async () => {
    assert.equal((await scan(await doc(withMacro([])))).category, 'undetected');
  });

  it('a remote template is malicious', async () => {
    const v = await scan(await doc({ openxml_info: { remote_template: ['http://203.0.113.9/t.dotm'] } }, 'docx'));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Office.TemplateInjection']);
  });

  it('a DDE field starting cmd is malicious', async () => {
    const v = await scan(await doc({ openxml_info: { dde_links: ['DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"'] } }, 'docx'));
    assert.equal(v.category, 'malicious');
  });

  it('an RTF carrying an Equation Editor object is malicious', async () => {
    const objdata = Buffer.from('\x01\x05\x00\x00\x02\x00\x00\x00\x0b\x00\x00\x00Equation.3\x00').toString('hex');
    const rtf = `{\\rtf1{\\object\\objemb\\objupdate{\\*\\objclass Equation.3}{\\*\\objdata ${objdata}}}}`;
    const v = await scan(await doc({}, 'rtf', rtf));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Office.CVE-2017-11882']);
  });

  it('a plain RTF letter is undetected', async () => {
    assert.equal((await scan(await doc({}, 'rtf', '{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}\\f0 Dear reader,\\par}'))).category, 'undetected');
  });

  it('attributes of the wrong shape are ignored', async () => {
    const v = await scan(await doc({ office_info: { ole: { macros: 'x' }, entries: [null, 1], embedded_objects: {} } }));
    assert.equal(v.category, 'undetected');
  });
});
