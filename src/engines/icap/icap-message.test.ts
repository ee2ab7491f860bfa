/** ICAP heads, the vendors' infection headers as verdicts, and the ASSAY_ICAP_ENGINES setting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RespmodResult } from './icap-client.js';
import { parseEncapsulated, parseIcapHead } from './icap-message.js';
import { parseChunkSize } from './icap-reader.js';
import { parseIcapTargets } from './icap-target.js';
import { icapVerdict } from './icap-verdict.js';

const answer = (head: string, httpStatus?: number): RespmodResult => ({ icap: parseIcapHead(head), httpStatus, bodyStart: Buffer.alloc(0) });

describe('ICAP heads', () => {
  it('joins folded lines, as c-icap sends X-Violations-Found', () => {
    const head = parseIcapHead('ICAP/1.0 200 OK\r\nX-Violations-Found: 1\r\n\t-\r\n\tEicar\r\n\t0\r\n\t0\r\nISTag: "A"\r\n\r\n');
    assert.deepEqual(head.headers.get('x-violations-found'), ['1\n-\nEicar\n0\n0']);
    assert.deepEqual(head.headers.get('istag'), ['"A"']);
  });

  it('refuses a folded line with nothing above it, and header names with spaces', () => {
    assert.throws(() => parseIcapHead('ICAP/1.0 200 OK\r\n\tx\r\n\r\n'), /folded header line/);
    assert.throws(() => parseIcapHead('ICAP/1.0 200 OK\r\nBad Name: x\r\n\r\n'), /bad header line/);
  });

  it('parses Encapsulated and refuses malformed ones', () => {
    assert.deepEqual(parseEncapsulated('res-hdr=0, res-body=161', 65536), [
      { name: 'res-hdr', offset: 0 },
      { name: 'res-body', offset: 161 },
    ]);
    for (const bad of ['res-hdr=5, res-body=10', 'res-hdr=0', 'x-y=0', 'res-hdr=0, res-body=-1', 'res-hdr=0,res-body=1,req-hdr=2,null-body=3,opt-body=4']) {
      assert.throws(() => parseEncapsulated(bad, 65536), /Encapsulated/, bad);
    }
  });

  it('reads chunk sizes with extensions, refusing oversize ones', () => {
    assert.equal(parseChunkSize('1a; ieof\r\n'), 26);
    assert.equal(parseChunkSize('0\r\n'), 0);
    assert.throws(() => parseChunkSize('1234567890abc\r\n'));
    assert.throws(() => parseChunkSize('-1\r\n'));
  });
});

describe('ICAP answers as verdicts', () => {
  const cases: Array<[string, RespmodResult, { category: string; result: string | null }]> = [
    ['204', answer('ICAP/1.0 204 No Content\r\n\r\n'), { category: 'undetected', result: null }],
    [
      'X-Infection-Found type 0 (c-icap, clamd name without .UNOFFICIAL)',
      answer('ICAP/1.0 200 OK\r\nX-Infection-Found: Type=0; Resolution=2; Threat=Assay.Test.EICAR.NDB.UNOFFICIAL;\r\n\r\n', 403),
      { category: 'malicious', result: 'Assay.Test.EICAR.NDB' },
    ],
    ['X-Infection-Found type 1 (policy)', answer('ICAP/1.0 200 OK\r\nX-Infection-Found: Type=1; Resolution=1; Threat=Bad attachment name;\r\n\r\n', 403), { category: 'suspicious', result: 'Bad attachment name' }],
    ['X-Infection-Found type 2 (container)', answer('ICAP/1.0 200 OK\r\nX-Infection-Found: Type=2; Resolution=1; Threat=Encrypted archive;\r\n\r\n', 403), { category: 'type-unsupported', result: 'Encrypted archive' }],
    [
      'X-Violations-Found (Symantec style)',
      answer('ICAP/1.0 200 OK\r\nX-Violations-Found: 2\r\n\tsample.exe\r\n\tW32.Worm\r\n\t1234\r\n\t2\r\n\tsample.exe\r\n\tOther\r\n\t55\r\n\t2\r\n\r\n', 403),
      { category: 'malicious', result: 'W32.Worm' },
    ],
    ['X-Virus-ID', answer('ICAP/1.0 200 OK\r\nX-Virus-ID: Trojan.Foo\r\n\r\n', 403), { category: 'malicious', result: 'Trojan.Foo' }],
    ['X-Virus-Name', answer('ICAP/1.0 200 OK\r\nX-Virus-Name: HTML/Phish.A\r\n\r\n', 403), { category: 'malicious', result: 'HTML/Phish.A' }],
    ['a 403 page with no header', answer('ICAP/1.0 200 OK\r\n\r\n', 403), { category: 'malicious', result: 'blocked (HTTP 403)' }],
    ['the file echoed (no 204 support)', answer('ICAP/1.0 200 OK\r\n\r\n', 200), { category: 'undetected', result: null }],
    ['control characters and a 10 KB name are cut', answer(`ICAP/1.0 200 OK\r\nX-Virus-ID: A\u0007B${'c'.repeat(10_000)}\r\n\r\n`, 403), { category: 'malicious', result: `AB${'c'.repeat(198)}` }],
  ];
  for (const [what, given, expected] of cases) it(what, () => assert.deepEqual(icapVerdict(given), expected));

  it('ICAP errors are failures (a PluginError)', () => {
    assert.throws(() => icapVerdict(answer('ICAP/1.0 500 Server Error\r\n\r\n')), { name: 'PluginError', flag: 'icap_error' });
  });
});

describe('ASSAY_ICAP_ENGINES', () => {
  const defaults = { seats: 4, timeoutMs: 60_000, maxBytes: 1000 };

  it('parses names, ports, our parameters, and passes the server its own', () => {
    const targets = parseIcapTargets('Sophos=icap://av1:1344/avscan?seats=2&timeout_ms=5000, Trend Micro=icap://[::1]/RESPMOD?profile=a,b&max_bytes=10', defaults);
    assert.deepEqual(targets, [
      { name: 'Sophos', host: 'av1', port: 1344, service: '/avscan', uri: 'icap://av1:1344/avscan', seats: 2, timeoutMs: 5000, maxBytes: 1000 },
      { name: 'Trend Micro', host: '::1', port: 1344, service: '/RESPMOD?profile=a%2Cb', uri: 'icap://[::1]:1344/RESPMOD?profile=a%2Cb', seats: 4, timeoutMs: 60_000, maxBytes: 10 },
    ]);
  });

  it('refuses what it cannot use, naming the entry', () => {
    assert.throws(() => parseIcapTargets('A=http://x/y', defaults), /only icap:\/\//);
    assert.throws(() => parseIcapTargets('A=icap://x', defaults), /no service path/);
    assert.throws(() => parseIcapTargets('A=icap://x/s?seats=0', defaults), /seats=0/);
    assert.throws(() => parseIcapTargets('A=icap://x/s,A=icap://y/s', defaults), /configured twice/);
    assert.throws(() => parseIcapTargets('icap://x/s', defaults), /expected name=icap/);
  });
});
