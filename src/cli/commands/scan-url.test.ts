/** `assay scan url` run in-process against the fake VirusTotal: per-engine verdicts, JSON, progress and exit codes. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { OVER_QUOTA_KEY, startFakeVtServer, type FakeVtServer } from '../../client/fake-vt-server.js';
import { memoryIo } from '../output.js';
import { runScanUrl } from './scan-url.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const MALWARE = 'http://malware.example/payload.exe';
const CLEAN = 'https://www.example.org/';

describe('assay scan url', () => {
  let server: FakeVtServer;
  before(async () => {
    server = await startFakeVtServer();
  });
  after(async () => server?.close());

  const common = () => ['--server', server.url, '--apikey', server.apiKey, '--poll-interval', '5'];

  test('prints each URL with its detections and id, the engine table and the stats, in argument order', async () => {
    const io = memoryIo();
    assert.equal(await runScanUrl([MALWARE, CLEAN, ...common()], io), 0, io.err());
    assert.deepEqual(io.out().split('\n'), [
      `${MALWARE}  1/3  id ${sha256(MALWARE)}`,
      'ENGINE                CATEGORY    RESULT',
      'Assay URL heuristics  undetected  unrated',
      'OpenPhish             harmless    clean',
      'URLhaus               malicious   malware',
      'stats  malicious 1, suspicious 0, undetected 1, harmless 1, timeout 0',
      '',
      `${CLEAN}  0/3  id ${sha256(CLEAN)}`,
      'ENGINE                CATEGORY    RESULT',
      'Assay URL heuristics  undetected  unrated',
      'OpenPhish             harmless    clean',
      'URLhaus               harmless    clean',
      'stats  malicious 0, suspicious 0, undetected 1, harmless 2, timeout 0',
      '',
    ]);
    // Not a terminal: one line per submission and per finished URL.
    assert.match(io.err(), new RegExp(`^submitted ${MALWARE} \\(analysis u-[0-9a-f]{64}-\\d+-\\d+\\)$`, 'm'));
    assert.equal(io.err().match(/^\[\d\/2\] done: /gm)?.length, 2, io.err());
  });

  test('--json prints one array of {url, id, analysis}', async () => {
    const io = memoryIo();
    assert.equal(await runScanUrl([MALWARE, '--json', ...common()], io), 0, io.err());
    const doc = JSON.parse(io.out()) as Array<{ url: string; id: string; analysis: { type: string; attributes: { status: string; stats: { malicious: number } } } }>;
    assert.deepEqual(
      doc.map((d) => [d.url, d.id, d.analysis.type, d.analysis.attributes.status, d.analysis.attributes.stats.malicious]),
      [[MALWARE, sha256(MALWARE), 'analysis', 'completed', 1]],
    );
  });

  test('--no-wait prints the analysis ids without polling', async () => {
    const io = memoryIo();
    const mark = server.requests.length;
    assert.equal(await runScanUrl([MALWARE, CLEAN, '--no-wait', ...common()], io), 0, io.err());
    const ids = io.out().trim().split('\n');
    assert.deepEqual(ids.map((id) => id.slice(0, 66)), [`u-${sha256(MALWARE)}`, `u-${sha256(CLEAN)}`]);
    assert.equal(server.requests.slice(mark).filter((r) => r.startsWith('GET /api/v3/analyses/')).length, 0);
  });

  test('one URL on a terminal: a status line redrawn on stderr and cleared at the end', async () => {
    const io = memoryIo({ tty: true });
    assert.equal(await runScanUrl([CLEAN, ...common()], io), 0, io.err());
    for (const status of ['submitted', 'queued', 'in-progress', 'completed']) assert.match(io.err(), new RegExp(`\\r\\x1b\\[2K. ${CLEAN.replace(/[.]/g, '\\.')}  ${status}`));
    assert.ok(io.err().endsWith('\r\x1b[2K'), JSON.stringify(io.err().slice(-40)));
    assert.match(io.out(), /^https:\/\/www\.example\.org\/  0\/3/);
  });

  test('several URLs on a terminal: a bar counting finished analyses', async () => {
    const io = memoryIo({ tty: true });
    assert.equal(await runScanUrl([MALWARE, CLEAN, 'http://phish.example/', ...common()], io), 0, io.err());
    assert.match(io.err(), /urls \[[^\]]+\] 3\/3/);
  });

  test('errors: a VT error exits 1 with its code; usage errors exit 2', async () => {
    const quota = memoryIo();
    assert.equal(await runScanUrl([CLEAN, '--server', server.url, '--apikey', OVER_QUOTA_KEY], quota), 1);
    assert.equal(quota.out(), '');
    assert.match(quota.err(), /assay: https:\/\/www\.example\.org\/: QuotaExceededError: Quota exceeded \(HTTP 429\)/);
    for (const [args, pattern] of [
      [['--apikey', 'k'], /missing required argument/],
      [[CLEAN, '--server', server.url], /no API key/],
      [['  ', ...common()], /a URL argument is empty/],
      [[CLEAN, '--timeout', '0', ...common()], /positive integer/],
    ] as const) {
      const io = memoryIo();
      assert.equal(await runScanUrl(args, io), 2, `${args.join(' ')}: ${io.err()}`);
      assert.match(io.err(), pattern);
    }
  });
});
