/** `assay file HASH` run in-process against the fake VirusTotal: the summary, JSON, not-found and usage errors. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Command, CommanderError } from 'commander';
import { startFakeVtServer, type FakeVtServer } from '../../client/fake-vt-server.js';
import { memoryIo } from '../output.js';
import { registerLookupFile, runLookupFile } from './lookup-file.js';

const SHA256 = 'a'.repeat(64);
const MD5 = 'b'.repeat(32);

const fileObject = {
  type: 'file',
  id: SHA256,
  links: { self: `http://x/api/v3/files/${SHA256}` },
  attributes: {
    sha256: SHA256,
    sha1: 'c'.repeat(40),
    md5: MD5,
    names: ['setup.exe', 'invoice.pdf.exe'],
    size: 2048,
    type_description: 'Win32 EXE',
    magic: 'PE32 executable (GUI) Intel 80386, for MS Windows',
    magika: 'pebin',
    ssdeep: '48:abc:def',
    tlsh: 'T1ABCDEF',
    last_analysis_date: 1700000000,
    last_analysis_stats: {
      harmless: 0, malicious: 1, suspicious: 1, undetected: 1, timeout: 0, 'confirmed-timeout': 0, failure: 0, 'type-unsupported': 1,
    },
    last_analysis_results: {
      YARA: { engine_name: 'YARA', category: 'suspicious', result: 'Packed_UPX', method: 'signature' },
      ClamAV: { engine_name: 'ClamAV', category: 'malicious', result: 'Win.Trojan.Agent', method: 'blacklist' },
      Heuristics: { engine_name: 'Heuristics', category: 'undetected', result: null, method: 'heuristic' },
      Sandbox: { engine_name: 'Sandbox', category: 'type-unsupported', result: null, method: 'behaviour' },
    },
  },
};

describe('assay file', () => {
  let server: FakeVtServer;
  before(async () => {
    server = await startFakeVtServer();
    server.files.set(SHA256, fileObject);
  });
  after(async () => server?.close());

  const flags = () => ['--server', server.url, '--apikey', server.apiKey];

  test('prints a readable summary with each engine', async () => {
    const io = memoryIo();
    assert.equal(await runLookupFile([MD5.toUpperCase(), ...flags()], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      `sha256         ${SHA256}`,
      `sha1           ${'c'.repeat(40)}`,
      `md5            ${MD5}`,
      'names          setup.exe, invoice.pdf.exe',
      'size           2048 bytes (2.0 KiB)',
      'type           Win32 EXE',
      'magic          PE32 executable (GUI) Intel 80386, for MS Windows',
      'magika         pebin',
      'ssdeep         48:abc:def',
      'tlsh           T1ABCDEF',
      'last analysis  2023-11-14 22:13:20 UTC',
      'detections     1/3',
      'stats          malicious 1, suspicious 1, undetected 1, harmless 0, timeout 0, confirmed-timeout 0, failure 0, type-unsupported 1',
      '',
      'ENGINE      CATEGORY          RESULT',
      'ClamAV      malicious         Win.Trojan.Agent',
      'Heuristics  undetected        -',
      'Sandbox     type-unsupported  -',
      'YARA        suspicious        Packed_UPX',
      '',
    ]);
    // The hash is sent lower-case, as the object id is.
    assert.ok(server.requests.includes(`GET /api/v3/files/${MD5}`));
  });

  test('--json prints the object', async () => {
    const io = memoryIo();
    assert.equal(await runLookupFile([SHA256, '--json', ...flags()], io), 0, io.err());
    assert.deepEqual(JSON.parse(io.out()), fileObject);
  });

  test('an unknown hash prints NotFoundError and exits 1', async () => {
    const io = memoryIo();
    assert.equal(await runLookupFile(['d'.repeat(64), ...flags()], io), 1);
    assert.equal(io.out(), '');
    assert.equal(io.err(), `assay: NotFoundError: File "${'d'.repeat(64)}" not found (HTTP 404)\n`);
  });

  test('usage errors exit 2: not a hash, no hash, no key', async () => {
    for (const [args, pattern] of [
      [['not-a-hash', ...flags()], /not an md5, sha1 or sha256/],
      [flags(), /missing required argument 'hash'/],
      [[SHA256, '--server', server.url], /no API key/],
    ] as const) {
      const io = memoryIo();
      assert.equal(await runLookupFile(args, io), 2, io.err());
      assert.match(io.err(), pattern);
    }
  });

  test('registered on a program that overrides exit, a usage error reaches main as CommanderError', async () => {
    const program = new Command('assay').exitOverride().configureOutput({ writeErr: () => {} });
    registerLookupFile(program);
    await assert.rejects(program.parseAsync(['file'], { from: 'user' }), (e: unknown) => e instanceof CommanderError && e.exitCode !== 0);
  });
});
