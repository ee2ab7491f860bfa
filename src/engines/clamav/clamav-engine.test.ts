/** The ClamAV engine on a real clamd: contract, verdicts, clamav-testfiles, readiness in each mode, failures. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { clamdUnavailable, startTestClamd, type TestClamd } from '../../../test/support/clamd.js';
import type { Engine } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { assertVerdictShape, eicar, fileInputFor, runEngineContract, runGoldenFixtures, scratchDir, tempFile } from '../contract.case.test.js';
import { createClamavEngine } from './clamav-engine.js';

const logger = pino({ level: 'silent' });
const TESTFILES = '/usr/share/clamav-testfiles';
const benign = await tempFile('benign.txt', 'Assay: a harmless text file.\n');

describe('ClamAV engine', { skip: clamdUnavailable() }, () => {
  let clamd: TestClamd;
  let engine: Engine;

  before(async () => {
    clamd = await startTestClamd();
    engine = createClamavEngine({ clamd: clamd.socketPath, workDir: scratchDir(), logger });
    const readiness = await engine.start();
    assert.equal(readiness.ready, true, readiness.detail);
  });
  after(async () => {
    await engine?.close();
    await clamd?.stop();
  });

  runEngineContract('ClamAV', () => createClamavEngine({ clamd: clamd.socketPath, workDir: scratchDir(), logger }), { benign });
  runGoldenFixtures('ClamAV', () => engine);

  it('says which clamd and signatures it uses', () => {
    const r = engine.status!();
    assert.equal(r.detail, `external clamd at ${clamd.socketPath}; custom signatures only (clamd reports no official database version)`);
    assert.match(r.engineVersion ?? '', /^\d+\.\d+\.\d+/);
    assert.equal(r.signatureVersion, '20261128');
  });

  it('finds EICAR, without the .UNOFFICIAL suffix', async () => {
    const verdict = await engine.scan(await tempFile('eicar.com', eicar()), AbortSignal.timeout(10_000));
    assertVerdictShape(verdict);
    assert.equal(verdict.category, 'malicious');
    assert.match(verdict.result ?? '', /^Assay\.Test\.EICAR\.(HDB|NDB)$/);
    assert.equal(verdict.method, 'blacklist');
    assert.match(verdict.engineVersion, /^\d+\.\d+\.\d+/);
    // No official database: the date comes from signatures/clamav/manifest.json.
    assert.equal(verdict.engineUpdate, '20261128');
  });

  it('finds EICAR followed by a newline through the body signature', async () => {
    const verdict = await engine.scan(await tempFile('eicar.txt', `${eicar()}\r\n`), AbortSignal.timeout(10_000));
    assert.deepEqual([verdict.category, verdict.result], ['malicious', 'Assay.Test.EICAR.NDB']);
  });

  it('leaves benign text undetected', async () => {
    const verdict = await engine.scan(benign, AbortSignal.timeout(10_000));
    assert.deepEqual([verdict.category, verdict.result], ['undetected', null]);
  });

  describe('clamav-testfiles', { skip: existsSync(TESTFILES) ? undefined : `${TESTFILES} absent (apt-get install clamav-testfiles)` }, () => {
    // clam.exe packed, archived, mailed and embedded 44 ways: clamd unpacks each down to the PE entry code.
    const files = existsSync(TESTFILES) ? readdirSync(TESTFILES).sort() : [];
    for (const name of files) {
      it(`detects ${name}`, async () => {
        const verdict = await engine.scan(await fileInputFor(path.join(TESTFILES, name)), AbortSignal.timeout(30_000));
        assert.deepEqual([verdict.category, verdict.result], ['malicious', 'Assay.Test.ClamTestFile']);
      });
    }
  });

  it('throws daemon_unreachable when clamd goes away after start', async () => {
    const other = await startTestClamd();
    const local = createClamavEngine({ clamd: other.socketPath, workDir: scratchDir(), logger });
    try {
      assert.equal((await local.start()).ready, true);
      await other.stop();
      // Still "ready": the pipeline must record a failure for ClamAV, not drop it from the results.
      assert.equal(local.status!().ready, true);
      await assert.rejects(local.scan(benign, AbortSignal.timeout(5_000)), (err: unknown) => {
        assert.ok(err instanceof PluginError);
        assert.equal(err.flag, 'daemon_unreachable');
        return true;
      });
    } finally {
      await local.close();
      await other.stop();
    }
  });
});

describe('ClamAV engine readiness', () => {
  it('an unreachable external clamd is not ready, and scans throw daemon_unreachable', async () => {
    const engine = createClamavEngine({ clamd: '/nonexistent/assay/clamd.sock', workDir: scratchDir(), logger });
    const readiness = await engine.start();
    assert.equal(readiness.ready, false);
    assert.match(readiness.detail ?? '', /^clamd at \/nonexistent\/assay\/clamd\.sock is unreachable \(retrying\)/);
    await assert.rejects(engine.scan(benign, AbortSignal.timeout(5_000)), { name: 'PluginError', flag: 'daemon_unreachable' });
    await engine.close();
  });

  it('without clamd it is not ready and says how to install it', async () => {
    const engine = createClamavEngine({ workDir: scratchDir(), logger, clamdBinary: '/nonexistent/clamd' });
    const readiness = await engine.start();
    assert.equal(readiness.ready, false);
    assert.match(readiness.detail ?? '', /^clamd not found at \/nonexistent\/clamd; install it with `apt-get install clamav-daemon clamav-freshclam`/);
    await engine.close();
  });

  it('supervises its own clamd on the bundled signatures', { skip: clamdUnavailable() }, async () => {
    const workDir = path.join(scratchDir(), 'engine-supervised');
    const engine = createClamavEngine({ workDir, logger, systemDatabaseDir: '/nonexistent' });
    try {
      const readiness = await engine.start();
      assert.equal(readiness.ready, true, readiness.detail);
      assert.match(readiness.detail ?? '', /^supervised clamd \(.*signatures\/clamav\); bundled Assay test signatures: install clamav-freshclam for real coverage$/);
      const verdict = await engine.scan(await tempFile('eicar.com', eicar()), AbortSignal.timeout(10_000));
      assert.equal(verdict.category, 'malicious');
    } finally {
      await engine.close();
    }
    assert.equal(existsSync(path.join(workDir, 'clamd.sock')), false, 'close() stops clamd');
  });
});

describe('ClamAV engine with default discovery', { skip: clamdUnavailable() }, () => {
  // Exactly what bootstrap builds: system databases when freshclam has run, bundled otherwise.
  runEngineContract('ClamAV', () => createClamavEngine({ workDir: path.join(scratchDir(), 'default'), logger }), { benign });
});
