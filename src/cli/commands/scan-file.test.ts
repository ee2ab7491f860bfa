/** `assay scan file` run in-process against the fake VirusTotal: output lines, JSON, progress and exit codes. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { OVER_QUOTA_KEY, startFakeVtServer, type FakeVtServer } from '../../client/fake-vt-server.js';
import { memoryIo } from '../output.js';
import { registerScanFile, runScanFile } from './scan-file.js';

const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

describe('assay scan file', () => {
  let server: FakeVtServer;
  let dir: string;
  let flagged: string;
  let clean: string;
  const flaggedText = 'a harmless file that mentions EICAR\n';
  const cleanText = 'quarterly report\n';

  before(async () => {
    server = await startFakeVtServer();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-scan-file-'));
    flagged = path.join(dir, 'flagged.txt');
    clean = path.join(dir, 'clean.txt');
    await fs.writeFile(flagged, flaggedText);
    await fs.writeFile(clean, cleanText);
  });
  after(async () => {
    await server?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const common = () => ['--server', server.url, '--apikey', server.apiKey, '--poll-interval', '5'];

  test('prints sha256, name, malicious/total and detections per file, in argument order', async () => {
    const io = memoryIo();
    const code = await runScanFile([flagged, clean, ...common()], io);
    assert.equal(code, 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      `${sha256(flaggedText)}  ${flagged}  2/3  ClamAV: Eicar-Test-Signature, YARA: EICAR_test_file`,
      `${sha256(cleanText)}  ${clean}  0/3  -`,
      '',
    ]);
    // Not a terminal: plain progress lines, one "done" per file.
    assert.equal(io.err().match(/^\[\d\/2\] done: /gm)?.length, 2, io.err());
    assert.match(io.err(), /^uploaded .*flagged\.txt \(analysis \S+\)$/m);
  });

  test('--json prints one array of {path, sha256, analysis}', async () => {
    const io = memoryIo();
    assert.equal(await runScanFile([flagged, clean, '--json', ...common()], io), 0, io.err());
    const doc = JSON.parse(io.out()) as Array<{ path: string; sha256: string; analysis: { type: string; attributes: { status: string } } }>;
    assert.equal(doc.length, 2);
    assert.deepEqual(
      doc.map((d) => [d.path, d.sha256, d.analysis.type, d.analysis.attributes.status]),
      [
        [flagged, sha256(flaggedText), 'analysis', 'completed'],
        [clean, sha256(cleanText), 'analysis', 'completed'],
      ],
    );
  });

  test('--no-wait prints the analysis ids only, without polling', async () => {
    const io = memoryIo();
    const mark = server.requests.length;
    assert.equal(await runScanFile([flagged, clean, '--no-wait', ...common()], io), 0, io.err());
    const ids = io.out().trim().split('\n');
    assert.equal(ids.length, 2);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(server.requests.slice(mark).filter((r) => r.startsWith('GET /api/v3/analyses/')).length, 0);
  });

  test('server and key come from ASSAY_SERVER / ASSAY_API_KEY when no flags are given', async () => {
    const io = memoryIo({ env: { ASSAY_SERVER: server.url, ASSAY_API_KEY: server.apiKey } });
    assert.equal(await runScanFile([clean, '--poll-interval', '5'], io), 0, io.err());
    assert.match(io.out(), new RegExp(`^${sha256(cleanText)}  `));
  });

  test('a missing file fails alone: the others print, exit code 1', async () => {
    const io = memoryIo();
    const missing = path.join(dir, 'missing.bin');
    assert.equal(await runScanFile([missing, clean, ...common()], io), 1);
    assert.match(io.out(), new RegExp(`^${sha256(cleanText)}  ${clean.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  0/3`));
    assert.match(io.err(), /assay: .*missing\.bin: ENOENT/);
  });

  test('a VT error is reported with its code and exit code 1', async () => {
    const io = memoryIo();
    assert.equal(await runScanFile([clean, '--server', server.url, '--apikey', OVER_QUOTA_KEY], io), 1);
    assert.equal(io.out(), '');
    assert.match(io.err(), /clean\.txt: QuotaExceededError: Quota exceeded \(HTTP 429\)/);
  });

  test('an unreachable server is named in the message', async () => {
    const gone = await startFakeVtServer();
    const url = gone.url;
    await gone.close();
    const io = memoryIo();
    assert.equal(await runScanFile([clean, '--server', url, '--apikey', 'k'], io), 1);
    assert.match(io.err(), new RegExp(`cannot reach ${url}: ECONNREFUSED`));
  });

  test('usage errors exit 2: no path, no API key, bad number, bad server URL', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--apikey', 'k'], /missing required argument/],
      [[clean, '--server', server.url], /no API key: pass --apikey KEY or set ASSAY_API_KEY/],
      [[clean, '--apikey', 'k', '--concurrency', 'zero'], /positive integer/],
      [[clean, '--apikey', 'k', '--server', 'localhost:8080'], /--server \/ ASSAY_SERVER: must be an absolute http\(s\) URL/],
    ];
    for (const [args, pattern] of cases) {
      const io = memoryIo();
      assert.equal(await runScanFile(args, io), 2, `${args.join(' ')}: ${io.err()}`);
      assert.match(io.err(), pattern);
    }
    const help = memoryIo();
    assert.equal(await runScanFile(['--help'], help), 0);
    assert.match(help.out(), /Usage: assay scan file \[options\] <path\.\.\.>/);
  });

  test('on a terminal, progress is drawn as bars on stderr, with a byte bar for large uploads', async () => {
    const big = path.join(dir, 'big.bin');
    await fs.writeFile(big, Buffer.alloc(3 * 1024 * 1024, 7));
    const io = memoryIo({ tty: true });
    assert.equal(await runScanFile([big, clean, ...common()], io), 0, io.err());
    assert.match(io.err(), /files\s+\[[^\]]+\] 2\/2/);
    assert.equal(io.out().trim().split('\n').length, 2);
  });

  test('register adds `scan file` under a shared `scan` command', () => {
    const program = new Command('assay');
    const scan = program.command('scan');
    scan.command('url');
    registerScanFile(program);
    assert.equal(program.commands.filter((c) => c.name() === 'scan').length, 1);
    assert.deepEqual(scan.commands.map((c) => c.name()), ['url', 'file']);
    const fresh = new Command('assay');
    registerScanFile(fresh);
    assert.deepEqual(fresh.commands.map((c) => c.name()), ['scan']);
  });
});
