/** The shared heuristics: the verdict rule, printable strings, misleading names and public IP literals. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printableText } from './file-text.js';
import { misleadingName } from './file-names.js';
import { publicIps } from './ip-literals.js';
import { judge, MALICIOUS_SCORE, SUSPICIOUS_SCORE, WEIGHT, type SignalRule } from './signal.js';

const rule = (name: string, weight: number, family = name): SignalRule => ({ name, weight, family, description: name });

describe('judge', () => {
  it('one strong signal is malicious and names its family', () => {
    const j = judge('Assay.X', [{ rule: rule('a', WEIGHT.strong, 'Ransom') }]);
    assert.deepEqual([j.category, j.result], ['malicious', 'Assay.X.Ransom']);
  });
  it('two independent medium signals are malicious, one is suspicious, weak ones alone are not', () => {
    assert.equal(judge('X', [{ rule: rule('a', WEIGHT.medium) }, { rule: rule('b', WEIGHT.medium) }]).category, 'malicious');
    assert.equal(judge('X', [{ rule: rule('a', WEIGHT.medium) }]).category, 'suspicious');
    assert.equal(judge('X', [{ rule: rule('a', WEIGHT.weak) }]).category, 'undetected');
    assert.equal(judge('X', []).result, null);
  });
  it('a signal seen twice counts once', () => {
    const a = rule('a', WEIGHT.medium);
    assert.equal(judge('X', [{ rule: a }, { rule: a }]).category, 'suspicious');
  });
  it('thresholds match the weights: strong alone, medium pairs', () => {
    assert.ok(WEIGHT.strong >= MALICIOUS_SCORE && 2 * WEIGHT.medium >= MALICIOUS_SCORE && WEIGHT.medium < MALICIOUS_SCORE);
    assert.ok(WEIGHT.medium >= SUSPICIOUS_SCORE && 2 * WEIGHT.weak < SUSPICIOUS_SCORE);
  });
});

describe('printableText', () => {
  it('finds ASCII and UTF-16LE runs, skips short ones', () => {
    const bytes = Buffer.concat([Buffer.from('\x00\x01hello world\x00ab\x00'), Buffer.from('vssadmin delete', 'utf16le'), Buffer.from([0xff, 0xfe])]);
    const text = printableText(bytes);
    assert.match(text, /hello world/);
    assert.match(text, /vssadmin delete/);
    assert.doesNotMatch(text, /^ab$/m);
  });
  it('takes linear time on hostile input (a long run of one byte, alternating zeros)', () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 0x41);
    assert.equal(printableText(big).length >= big.length, true);
    const alt = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < alt.length; i += 2) alt[i] = 0x41;
    assert.ok(printableText(alt).length > 0);
  });
});

describe('misleadingName', () => {
  it('flags document-looking executables and right-to-left overrides, not plain names', () => {
    assert.equal(misleadingName(['invoice.pdf.exe']), 'invoice.pdf.exe');
    assert.equal(misleadingName(['photo\u202egpj.exe']), 'photo\u202egpj.exe');
    assert.equal(misleadingName(['setup.exe', 'report.pdf']), undefined);
  });
});

describe('publicIps', () => {
  it('keeps public addresses, drops private, loopback and version-like literals', () => {
    const found = publicIps('connect 45.14.224.26:1845 or 79.139.57.55; local 127.0.0.1 192.168.1.1 10.0.0.8; version 1.2.3.4 2.0.0.0');
    assert.deepEqual(found, { withPort: ['45.14.224.26:1845'], bare: ['79.139.57.55'] });
  });
});
