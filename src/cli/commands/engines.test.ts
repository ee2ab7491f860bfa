/** `assay engines` run in-process against the fake VirusTotal: the table, raw JSON and errors. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { OVER_QUOTA_KEY, startFakeVtServer, type FakeVtServer } from '../../client/fake-vt-server.js';
import { memoryIo } from '../output.js';
import { engineRows, registerEngines, runEngines } from './engines.js';

describe('assay engines', () => {
  let server: FakeVtServer;
  before(async () => {
    server = await startFakeVtServer();
  });
  after(async () => server?.close());

  test('prints one row per engine and analyzer, ready or not, with versions and reasons', async () => {
    const io = memoryIo();
    assert.equal(await runEngines(['--server', server.url, '--apikey', server.apiKey], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      'ENGINE    KIND      STATUS     VERSION  SIGNATURES     DETAIL',
      'ClamAV    engine    ready      1.4.6    27500          clamd on /run/clamd.sock',
      'YARA      engine    ready      0.3.0    rules-2025.01',
      'Sandbox   engine    not ready  0.1.0    -              no sandbox configured',
      'filetype  analyzer  ready      1.0.0    -',
      '',
    ]);
    assert.ok(server.requests.includes('GET /api/v3/metadata'));
  });

  test('--json prints the raw metadata data', async () => {
    const io = memoryIo();
    assert.equal(await runEngines(['--json', '--server', server.url, '--apikey', server.apiKey], io), 0, io.err());
    const data = JSON.parse(io.out());
    assert.deepEqual(Object.keys(data.engines), ['ClamAV', 'YARA', 'Sandbox']);
    assert.deepEqual(data.privileges, []);
  });

  test('API errors exit 1 with the VT code; a missing key exits 2', async () => {
    const quota = memoryIo();
    assert.equal(await runEngines(['--server', server.url, '--apikey', OVER_QUOTA_KEY], quota), 1);
    assert.match(quota.err(), /^assay: QuotaExceededError: Quota exceeded \(HTTP 429\)$/m);
    const noKey = memoryIo({ env: { ASSAY_SERVER: server.url } });
    assert.equal(await runEngines([], noKey), 2);
    assert.match(noKey.err(), /no API key/);
  });

  test('engineRows reads the other common spellings', () => {
    assert.deepEqual(
      engineRows({ engines: { X: { category: 'av', status: 'degraded', version: '2', engine_update: '20250102', reason: 'slow' }, Y: 'odd' } }),
      [
        ['X', 'av', 'not ready', '2', '20250102', 'slow'],
        ['Y', 'engine', '-', '-', '-', ''],
      ],
    );
    assert.throws(() => engineRows('nope'), /not a dictionary/);
  });

  test('engineRows lists URL engines and intel sources after engines and analyzers', () => {
    const rows = engineRows({
      engines: { ClamAV: { ready: true } },
      url_engines: { URLhaus: { ready: false, detail: 'no entries imported; run assay feeds import urlhaus FILE' } },
      intel_sources: { dns: { ready: true, detail: 'resolvers: system' } },
    });
    assert.deepEqual(
      rows.map((r) => [r[0], r[1], r[2]]),
      [
        ['ClamAV', 'engine', 'ready'],
        ['URLhaus', 'url-engine', 'not ready'],
        ['dns', 'intel', 'ready'],
      ],
    );
    assert.match(rows[1]![5]!, /assay feeds import urlhaus/);
  });

  test('register adds a top-level `engines` command', () => {
    const program = new Command('assay');
    registerEngines(program);
    assert.deepEqual(program.commands.map((c) => c.name()), ['engines']);
  });
});
