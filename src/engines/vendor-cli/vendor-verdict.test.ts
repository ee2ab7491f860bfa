/** Verdict rules over exit codes and output, probe values and signature dates, on hand-made command runs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandRun } from './run-sandboxed.js';
import { parseVendorEngines } from './vendor-config.js';
import { probeValue, ruleVerdict, toYyyymmdd } from './vendor-verdict.js';

const run = (exitCode: number | null, stdout = '', stderr = '', signal: NodeJS.Signals | null = null): CommandRun => ({ exitCode, signal, stdout, stderr });
const rules = parseVendorEngines(
  {
    engines: [
      {
        name: 'R',
        command: ['x', '{path}'],
        verdicts: [
          { exitCodes: [3], match: 'Infected: (?<threat>.+?) \\[', category: 'malicious' },
          { exitCodes: [3], category: 'malicious', result: 'infected' },
          { exitCodes: [8], match: 'Suspected', output: 'stderr', category: 'suspicious', result: 'suspected' },
          { exitCodes: [0], category: 'undetected' },
        ],
      },
    ],
  },
  'test',
)[0]!.verdicts;

describe('vendor verdict rules', () => {
  const cases: Array<[string, CommandRun, { category: string; result: string | null }]> = [
    ['the named group is the result', run(3, '/tmp/assay-sample/a.com: Infected: EICAR_Test_File [Aquarius]\n'), { category: 'malicious', result: 'EICAR_Test_File' }],
    ['no match falls through to the next rule for the same code', run(3, 'garbled'), { category: 'malicious', result: 'infected' }],
    ['a rule reads only the stream it names', run(8, '', 'Suspected: x'), { category: 'suspicious', result: 'suspected' }],
    ['exit 0 is undetected', run(0, 'all clean'), { category: 'undetected', result: null }],
    ['control characters are taken out of names, and names are cut at 200', run(3, `Infected: A\u001b[31mB${'c'.repeat(500)} [x]`), { category: 'malicious', result: `A[31mB${'c'.repeat(194)}` }],
  ];
  for (const [what, given, expected] of cases) it(what, () => assert.deepEqual(ruleVerdict(rules, given), expected));

  it('an exit code with no rule, or a stream on the wrong side, is a failure naming the code and the output tail', () => {
    assert.throws(() => ruleVerdict(rules, run(9, '', 'line1\nScan error: cannot open')), { name: 'PluginError', flag: 'unexpected_output', message: /exit code 9: line1 \| Scan error/ });
    assert.throws(() => ruleVerdict(rules, run(8, 'Suspected: x', '')), { flag: 'unexpected_output' });
  });

  it('a scanner killed by a signal is a failure', () => {
    assert.throws(() => ruleVerdict(rules, run(null, '', 'segfault', 'SIGSEGV')), { name: 'PluginError', flag: 'scanner_killed', message: /SIGSEGV/ });
  });
});

describe('probe values and dates', () => {
  it('takes the first group, a `value` group, or the whole match', () => {
    assert.equal(probeValue('^ClamAV ([0-9.]+)', run(0, 'ClamAV 1.4.6/27000/Mon Dec  7 09:00:00 2026\n')), '1.4.6');
    assert.equal(probeValue('version (?<value>\\S+)', run(0, '', 'engine version 5.2\n')), '5.2');
    assert.equal(probeValue('\\d{8}', run(0, 'db 20261207')), '20261207');
    assert.equal(probeValue('nothing', run(0, 'x')), undefined);
  });

  it('reads dates as VT engine_update (YYYYMMDD)', () => {
    assert.equal(toYyyymmdd('20261207'), '20261207');
    assert.equal(toYyyymmdd('2026-12-07T09:00:00Z'), '20261207');
    assert.equal(toYyyymmdd('07 Dec 2026 12:00:00 GMT'), '20261207');
    assert.equal(toYyyymmdd('soon'), undefined);
  });
});
