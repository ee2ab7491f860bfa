/** The YARA engine on real YARA-X: contract, starter rules, broken user rules, reload, event loop. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { FileInput, Readiness } from '../../core/plugin.js';
import { assertVerdictShape, eicar, fileInputFor, runEngineContract, runGoldenFixtures, scratchDir, tempFile } from '../contract.case.test.js';
import { ASSAY_TEST_MARKER, writeSparseSample } from '../../../test/support/sparse-sample.js';
import { bundledYaraRulesDir } from '../package-root.js';
import { createYaraEngine, type CrowdsourcedYaraResult, type YaraEngine } from './yara-engine.js';

const logger = pino({ level: 'silent' });
const benign = await tempFile('benign.txt', 'Assay: a harmless text file.\n');
const UPX_SAMPLE = '/usr/share/clamav-testfiles/clam-upx.exe';

function userRulesDir(name: string, files: Record<string, string>): string {
  const dir = path.join(scratchDir(), name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

const customRule = `rule Local_Assay_Canary {
  meta:
    author = "tester"
    description = "user rule that must keep working next to a broken file"
  strings:
    $a = "assay-yara-canary"
  condition:
    $a
}
`;
// E022: YARA-X refuses unused patterns.
const brokenRule = `rule Broken_Unused_String {
  strings:
    $used = "x"
    $unused = "y"
  condition:
    $used
}
`;

describe('YARA engine', () => {
  let engine: YaraEngine;
  let userDir: string;
  let started: Readiness;

  before(async () => {
    userDir = userRulesDir('user-rules', { 'canary.yar': customRule, 'broken.yara': brokenRule, 'notes.txt': 'not a rule file' });
    engine = createYaraEngine({ rulesDirs: [bundledYaraRulesDir(), userDir], logger });
    started = await engine.start();
  });
  after(() => engine?.close());

  runEngineContract('YARA', () => createYaraEngine({ rulesDirs: [bundledYaraRulesDir()], logger }), { benign });
  runGoldenFixtures('YARA', () => engine);

  it('reports the broken user file with its error and loads the rest', () => {
    const r = started;
    assert.equal(r.ready, true);
    assert.match(r.detail ?? '', /^7 rules from 6 files; 1 skipped; failed to compile: broken\.yara: error\[E022\]: unused pattern `\$unused` \(line 4, column 5\)$/);
    assert.equal(r.engineVersion, '0.3.0');
    assert.match(r.signatureVersion ?? '', /^[0-9a-f]{12}$/);
  });

  it('EICAR is malicious, with crowdsourced_yara_results', async () => {
    const verdict = await engine.scan(await tempFile('eicar.com', eicar()), AbortSignal.timeout(10_000));
    assertVerdictShape(verdict);
    assert.deepEqual([verdict.category, verdict.result, verdict.method], ['malicious', 'Assay_EICAR_Test_File', 'signature']);
    assert.equal(verdict.engineVersion, '0.3.0');
    assert.match(verdict.engineUpdate, /^\d{8}$/);
    const results = verdict.attributes?.crowdsourced_yara_results as CrowdsourcedYaraResult[];
    assert.deepEqual(results, [
      {
        rule_name: 'Assay_EICAR_Test_File',
        ruleset_id: results[0]!.ruleset_id,
        ruleset_name: 'eicar.yar',
        source: 'https://www.eicar.org/download-anti-malware-testfile/',
        author: 'Assay',
        description: 'EICAR anti-malware test file',
        match_in_subfile: false,
      },
    ]);
    assert.match(results[0]!.ruleset_id, /^[0-9a-f]{10}$/);
  });

  it('benign text is undetected, with no attributes', async () => {
    const verdict = await engine.scan(benign, AbortSignal.timeout(10_000));
    assert.deepEqual([verdict.category, verdict.result, verdict.attributes], ['undetected', null, undefined]);
  });

  it('the user rule works beside the broken file, attributed to its ruleset', async () => {
    const verdict = await engine.scan(await tempFile('canary.txt', 'xx assay-yara-canary xx'), AbortSignal.timeout(10_000));
    // No `verdict` meta: a match is suspicious.
    assert.deepEqual([verdict.category, verdict.result], ['suspicious', 'Local_Assay_Canary']);
    const [result] = verdict.attributes?.crowdsourced_yara_results as CrowdsourcedYaraResult[];
    assert.equal(result!.ruleset_name, 'canary.yar');
    assert.equal(result!.source, 'local:canary.yar');
    assert.equal(result!.author, 'tester');
  });

  it('several matches: malicious wins and all names are listed', async () => {
    const verdict = await engine.scan(await tempFile('both.php', `<?php if (false) { eval($_REQUEST['x']); } // assay-yara-canary\n`), AbortSignal.timeout(10_000));
    assert.equal(verdict.category, 'malicious');
    assert.deepEqual(verdict.result?.split(', ').sort(), ['Assay_PHP_Webshell_Request_Eval', 'Local_Assay_Canary']);
  });

  it('UPX-packed PE is suspicious', { skip: existsSync(UPX_SAMPLE) ? undefined : `${UPX_SAMPLE} absent (apt-get install clamav-testfiles)` }, async () => {
    const verdict = await engine.scan(await fileInputFor(UPX_SAMPLE), AbortSignal.timeout(10_000));
    assert.deepEqual([verdict.category, verdict.result], ['suspicious', 'Assay_UPX_Packed_PE']);
  });

  it('a missing file rejects (the pipeline records failure)', async () => {
    const missing: FileInput = { ...benign, path: path.join(scratchDir(), 'does-not-exist') };
    await assert.rejects(engine.scan(missing, AbortSignal.timeout(10_000)), /No such file/);
  });

  it('scans off the main thread: timers keep firing during a long scan', async () => {
    // 16 MB of text full of atoms the rules look for keeps YARA-X busy for a while.
    const line = 'powershell -e <?php eval request AutoOpen Shell CreateObject UPX! <% X5O!P%@AP\n';
    const big = await tempFile('busy.txt', line.repeat(Math.ceil((16 * 1024 * 1024) / line.length)));
    // Counted, not timed: a scan on the main thread would let no tick through until it ended.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await engine.scan(big, AbortSignal.timeout(60_000));
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 5, `only ${ticks} timer ticks during the scan`);
  });

  it('aborting a running scan rejects at once', async () => {
    const line = 'powershell -e <?php eval request AutoOpen Shell CreateObject\n';
    const big = await tempFile('busy2.txt', line.repeat(Math.ceil((20 * 1024 * 1024) / line.length)));
    // The same scan, started first on the other thread: the rejection must come before it ends.
    // An order, not a time, so a loaded machine slows both sides alike.
    let referenceDone = false;
    const reference = engine.scan(big, AbortSignal.timeout(60_000)).finally(() => (referenceDone = true));
    const controller = new AbortController();
    const pending = engine.scan(big, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('deadline passed');
    controller.abort(reason);
    await assert.rejects(pending, (err: unknown) => err === reason);
    assert.equal(referenceDone, false, 'the rejection waited for a whole scan');
    await reference;
    // The worker finishes the abandoned scan; the next one still works.
    const verdict = await engine.scan(await tempFile('eicar2.com', eicar()), AbortSignal.timeout(30_000));
    assert.equal(verdict.category, 'malicious');
  });
});

describe('YARA engine reload and rule sets', () => {
  it('reload() picks up new and fixed files; in-flight scans are unaffected', async () => {
    const dir = userRulesDir('reload-rules', { 'broken.yar': brokenRule });
    const engine = createYaraEngine({ rulesDirs: [bundledYaraRulesDir(), dir], logger });
    try {
      const first = await engine.start();
      assert.match(first.detail ?? '', /failed to compile: broken\.yar/);
      const canary = await tempFile('canary.txt', 'assay-yara-canary');
      assert.equal((await engine.scan(canary, AbortSignal.timeout(10_000))).category, 'undetected');

      writeFileSync(path.join(dir, 'broken.yar'), customRule);
      const inFlight = engine.scan(canary, AbortSignal.timeout(10_000));
      const second = await engine.reload();
      assert.equal((await inFlight).category, 'undetected', 'started on the old rules');
      assert.doesNotMatch(second.detail ?? '', /failed/);
      assert.notEqual(second.signatureVersion, first.signatureVersion);
      assert.equal((await engine.scan(canary, AbortSignal.timeout(10_000))).result, 'Local_Assay_Canary');
    } finally {
      await engine.close();
    }
  });

  it('rule names repeated across files, and global rules, keep per-file semantics', async () => {
    const dir = userRulesDir('namespaces', {
      'a.yar': 'rule Same_Name { strings: $a = "alpha-token" condition: $a }',
      'b.yar': 'rule Same_Name { strings: $b = "beta-token" condition: $b }',
      // A global rule gates only its own file's rules, as it would in its own YARA namespace.
      'c.yar': 'global rule Only_Big { condition: filesize > 1000 } rule Gated { strings: $g = "gamma-token" condition: $g }',
    });
    const engine = createYaraEngine({ rulesDirs: [dir], logger });
    try {
      assert.match((await engine.start()).detail ?? '', /^4 rules from 3 files$/);
      const scan = async (text: string) => {
        const v = await engine.scan(await tempFile('t.txt', text), AbortSignal.timeout(10_000));
        return (v.attributes?.crowdsourced_yara_results as CrowdsourcedYaraResult[] | undefined)?.map((r) => `${r.ruleset_name}:${r.rule_name}`) ?? [];
      };
      assert.deepEqual(await scan('alpha-token'), ['a.yar:Same_Name']);
      assert.deepEqual(await scan('beta-token'), ['b.yar:Same_Name']);
      assert.deepEqual((await scan('alpha-token beta-token')).sort(), ['a.yar:Same_Name', 'b.yar:Same_Name']);
      assert.deepEqual(await scan('gamma-token'), [], 'gated by Only_Big');
      assert.deepEqual(await scan(`gamma-token alpha-token ${'.'.repeat(1000)}`).then((r) => r.sort()), ['a.yar:Same_Name', 'c.yar:Gated', 'c.yar:Only_Big']);
    } finally {
      await engine.close();
    }
  });

  it('no rules at all is not ready, and says where it looked', async () => {
    const dir = userRulesDir('only-broken', { 'x.yar': brokenRule });
    const engine = createYaraEngine({ rulesDirs: [dir, '/nonexistent/rules'], logger });
    const r = await engine.start();
    assert.equal(r.ready, false);
    assert.match(r.detail ?? '', /^no YARA rules compiled from .*only-broken, \/nonexistent\/rules; failed to compile: x\.yar: error\[E022\]/);
    await assert.rejects(engine.scan(benign, AbortSignal.timeout(1_000)), { name: 'PluginError', flag: 'not_ready' });
    await engine.close();
  });
});

describe('YARA engine on large files', () => {
  it('accepts and scans a 300 MiB file when the upload limit allows 650 MiB, matching near its end', async () => {
    const MiB = 1024 * 1024;
    const rules = userRulesDir('large-rules', {
      'marker.yar': `rule Local_Assay_Marker { strings: $m = "${ASSAY_TEST_MARKER}" condition: $m }\n`,
    });
    const sample = path.join(scratchDir(), 'large-300m.bin');
    await writeSparseSample(sample, 300 * MiB);
    const engine = createYaraEngine({ rulesDirs: [rules], logger, maxBytes: 650 * MiB, scanThreads: 1 });
    try {
      assert.equal((await engine.start()).ready, true);
      const input = await fileInputFor(sample);
      // What the pipeline checks before it would answer type-unsupported.
      assert.ok(input.size <= engine.manifest.accepts.maxBytes!);
      const verdict = await engine.scan(input, AbortSignal.timeout(120_000));
      assert.equal(verdict.result, 'Local_Assay_Marker');
    } finally {
      await engine.close();
      rmSync(sample, { force: true });
    }
  });
});
