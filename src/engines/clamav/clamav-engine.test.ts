/** The ClamAV engine on a real clamd: contract, verdicts, clamav-testfiles, readiness in each mode, failures. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { clamdUnavailable, startTestClamd, type TestClamd } from '../../../test/support/clamd.js';
import { writeSparseSample } from '../../../test/support/sparse-sample.js';
import type { Engine } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { assertVerdictShape, eicar, fileInputFor, runEngineContract, runGoldenFixtures, scratchDir, tempFile, waitFor } from '../contract.case.test.js';
import { createClamavEngine } from './clamav-engine.js';
import { startClamd } from './clamd-supervisor.js';

const logger = pino({ level: 'silent' });
const TESTFILES = '/usr/share/clamav-testfiles';
const benign = await tempFile('benign.txt', 'Assay: a harmless text file.\n');

/** The pid of the clamd started with this config, read from /proc (the engine does not expose it). */
function clamdPid(confPath: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (argv.includes(confPath) && path.basename(argv[0] ?? '') === 'clamd' && state !== 'Z') return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

describe('ClamAV engine', { skip: clamdUnavailable() }, () => {
  let clamd: TestClamd;
  let engine: ReturnType<typeof createClamavEngine>;

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
    const r = engine.status();
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
      assert.equal(local.status().ready, true);
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
    assert.equal(readiness.down, true, 'configured, so analyses record it as a failure');
    await assert.rejects(engine.scan(benign, AbortSignal.timeout(5_000)), { name: 'PluginError', flag: 'daemon_unreachable' });
    await engine.close();
  });

  it('without clamd it is not ready and says how to install it', async () => {
    const engine = createClamavEngine({ workDir: scratchDir(), logger, clamdBinary: '/nonexistent/clamd' });
    const readiness = await engine.start();
    assert.equal(readiness.ready, false);
    assert.equal(readiness.down, undefined, 'not installed: left out of analyses');
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

describe('ClamAV engine supervision', { skip: clamdUnavailable() }, () => {
  it('retries a clamd that could not start, and is ready by itself once the cause is gone', async () => {
    const workDir = path.join(scratchDir(), 'engine-busy-socket');
    mkdirSync(workDir, { recursive: true });
    // What a hung clamd left by a killed server looks like: the socket accepts and never answers.
    const held: net.Socket[] = [];
    const squatter = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => squatter.listen(path.join(workDir, 'clamd.sock'), resolve));
    const engine = createClamavEngine({ workDir, logger, systemDatabaseDir: '/nonexistent', supervision: { restartMinMs: 20, restartMaxMs: 200 } });
    try {
      const first = await engine.start();
      assert.equal(first.ready, false);
      assert.equal(first.down, true);
      assert.match(first.detail ?? '', /^could not start clamd: .*; retrying$/);
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => squatter.close(resolve));
      await waitFor('ClamAV ready once the socket is free', () => engine.status().ready, 60_000);
      assert.match(engine.status().detail ?? '', /^supervised clamd /);
      const verdict = await engine.scan(await tempFile('eicar.com', eicar()), AbortSignal.timeout(10_000));
      assert.equal(verdict.category, 'malicious');
    } finally {
      await engine.close();
      squatter.close();
    }
  });
});

describe('ClamAV engine liveness', { skip: clamdUnavailable() }, () => {
  it('kills and restarts a hung clamd, saying so in its readiness meanwhile', async () => {
    const workDir = path.join(scratchDir(), 'engine-hung');
    // The restart delay keeps the "down" state observable for a few polls; it is not a bound on anything.
    const engine = createClamavEngine({
      workDir,
      logger,
      systemDatabaseDir: '/nonexistent',
      supervision: { livenessIntervalMs: 50, pingTimeoutMs: 300, restartMinMs: 2_000 },
    });
    let hungPid: number | undefined;
    try {
      assert.equal((await engine.start()).ready, true);
      hungPid = clamdPid(path.join(workDir, 'clamd.conf'));
      assert.ok(hungPid);
      process.kill(hungPid, 'SIGSTOP');
      // A scan sent to the hung clamd ends when it is killed, not at its own (long) deadline.
      const stuck = engine.scan(benign, AbortSignal.timeout(600_000)).then(() => 'answered', (err: unknown) => err);
      const down = await waitFor('ClamAV reported down', () => {
        const r = engine.status();
        return r.ready ? undefined : r;
      });
      assert.equal(down.down, true);
      assert.match(down.detail ?? '', /^clamd not answering PING/);
      assert.ok((await stuck) instanceof PluginError);
      const pid = await waitFor('a new clamd', () => (engine.status().ready ? clamdPid(path.join(workDir, 'clamd.conf')) : undefined), 60_000);
      assert.notEqual(pid, hungPid);
      const verdict = await engine.scan(await tempFile('eicar.com', eicar()), AbortSignal.timeout(10_000));
      assert.equal(verdict.category, 'malicious');
    } finally {
      if (hungPid) {
        try {
          process.kill(hungPid, 'SIGKILL');
        } catch {
          // killed by the supervisor, as expected
        }
      }
      await engine.close();
    }
  });
});

describe('ClamAV engine on large files', { skip: clamdUnavailable() }, () => {
  const MiB = 1024 * 1024;

  it('scans a 300 MiB file whole when the upload limit allows 650 MiB, finding a signature near its end', async () => {
    const sample = path.join(scratchDir(), 'large-300m.bin');
    await writeSparseSample(sample, 300 * MiB);
    const engine = createClamavEngine({ workDir: path.join(scratchDir(), 'engine-large'), logger, systemDatabaseDir: '/nonexistent', maxBytes: 650 * MiB });
    try {
      assert.equal((await engine.start()).ready, true);
      const input = await fileInputFor(sample);
      assert.ok(input.size <= engine.manifest.accepts.maxBytes!);
      const verdict = await engine.scan(input, AbortSignal.timeout(120_000));
      assert.deepEqual([verdict.category, verdict.result], ['malicious', 'Assay.Test.Marker']);
    } finally {
      await engine.close();
      rmSync(sample, { force: true });
    }
  });

  it('names the limit when a clamd refuses a file as too large', async () => {
    // An external clamd with a 1 MiB StreamMaxLength, and a 2 MiB sample.
    const external = await startClamd({ workDir: path.join(scratchDir(), 'small-limit'), preferSystemSignatures: false, logger, maxFileBytes: MiB });
    const sample = path.join(scratchDir(), 'over-limit.bin');
    await writeSparseSample(sample, 2 * MiB);
    const engine = createClamavEngine({ clamd: external.socketPath, workDir: scratchDir(), logger });
    try {
      assert.equal((await engine.start()).ready, true);
      const verdict = await engine.scan(await fileInputFor(sample), AbortSignal.timeout(30_000));
      assert.equal(verdict.category, 'type-unsupported');
      assert.match(verdict.result ?? '', /size limit exceeded \(clamd's StreamMaxLength\)/);
    } finally {
      await engine.close();
      await external.stop();
      rmSync(sample, { force: true });
    }
  });
});

describe('ClamAV engine with default discovery', { skip: clamdUnavailable() }, () => {
  // Exactly what bootstrap builds: system databases when freshclam has run, bundled otherwise.
  runEngineContract('ClamAV', () => createClamavEngine({ workDir: path.join(scratchDir(), 'default'), logger }), { benign });
});
