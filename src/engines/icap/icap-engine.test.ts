/** The ICAP engine against Debian's c-icap with the virus_scan service on a clamd with Assay's test signatures. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { cIcapUnavailable, startTestCIcap, type TestCIcap } from '../../../test/support/c-icap.js';
import { clamdUnavailable, startTestClamd, type TestClamd } from '../../../test/support/clamd.js';
import type { Engine } from '../../core/plugin.js';
import { startedHost } from '../../pipeline/testing/started-host.js';
import { FilePipeline } from '../../pipeline/file-pipeline.js';
import { ClamdClient } from '../clamav/clamd-client.js';
import { createClamavEngine } from '../clamav/clamav-engine.js';
import { eicar, runEngineContract, scratchDir, tempFile, waitFor } from '../contract.case.test.js';
import { createIcapEngine } from './icap-engine.js';
import { parseIcapTargets } from './icap-target.js';

const skip = clamdUnavailable() ?? cIcapUnavailable();
const logger = pino({ level: 'silent' });
const MARKER = 'ASSAY-HARMLESS-TEST-MARKER-5c1b7e';
const benign = await tempFile('benign.txt', 'Assay: a harmless text file.\n');

function icapEngine(url: string, name = 'ICAP Test', extra = '') {
  const [target] = parseIcapTargets(`${name}=${url}${extra}`, { seats: 4, timeoutMs: 30_000, maxBytes: 100 * 1024 * 1024 });
  return createIcapEngine({ target: target!, logger, retryMinMs: 100 });
}

describe('ICAP engine with c-icap', { skip }, () => {
  let clamd: TestClamd;
  let icap: TestCIcap;
  let reference: ClamdClient;

  before(async () => {
    clamd = await startTestClamd();
    icap = await startTestCIcap(clamd.socketPath);
    reference = new ClamdClient({ path: clamd.socketPath });
  });
  after(async () => {
    await icap?.stop();
    await clamd?.stop();
  });

  runEngineContract('ICAP Test', () => icapEngine(icap.url), { benign });

  describe('verdicts', () => {
    let engine: Engine;
    before(async () => {
      engine = icapEngine(icap.url, 'ICAP Test', '?seats=2');
      const readiness = await engine.start();
      assert.equal(readiness.ready, true, readiness.detail);
      assert.match(readiness.engineVersion ?? '', /C-ICAP/);
      assert.ok(readiness.signatureVersion, 'the ISTag is the signature version');
      assert.match(readiness.engineUpdate ?? '', /^\d{8}$/);
    });
    after(async () => engine?.close());

    /** What clamd itself says of the file, as c-icap should pass it on (without clamd's `.UNOFFICIAL`). */
    const clamdSays = async (file: string) => {
      const reply = await reference.scanPath(file, AbortSignal.timeout(30_000));
      return reply.infected ? reply.signature.replace(/\.UNOFFICIAL$/, '') : null;
    };

    it('EICAR is malicious with the signature name clamd gives', async () => {
      const input = await tempFile('eicar.com', eicar());
      const verdict = await engine.scan(input, AbortSignal.timeout(30_000));
      const expected = await clamdSays(input.path);
      assert.ok(expected, 'clamd detects EICAR with the bundled signatures');
      assert.deepEqual({ category: verdict.category, result: verdict.result }, { category: 'malicious', result: expected });
      assert.match(verdict.engineVersion, /C-ICAP/);
    });

    it('a clean file is undetected (a 204 from the preview)', async () => {
      const input = await tempFile('report.txt', 'Quarterly report\n'.repeat(20));
      assert.equal(await clamdSays(input.path), null);
      const verdict = await engine.scan(input, AbortSignal.timeout(30_000));
      assert.deepEqual({ category: verdict.category, result: verdict.result }, { category: 'undetected', result: null });
    });

    it('files larger than the preview are streamed whole: a marker in the last bytes is found, a clean one is not', async () => {
      const body = randomBytes(3 * 1024 * 1024);
      const marked = await tempFile('big-marked.bin', Buffer.concat([body, Buffer.from(MARKER)]));
      const clean = await tempFile('big-clean.bin', body);
      const [m, c] = await Promise.all([engine.scan(marked, AbortSignal.timeout(60_000)), engine.scan(clean, AbortSignal.timeout(60_000))]);
      assert.deepEqual({ category: m.category, result: m.result }, { category: 'malicious', result: await clamdSays(marked.path) });
      assert.deepEqual({ category: c.category, result: c.result }, { category: 'undetected', result: await clamdSays(clean.path) });
    });

    it('many scans over two seats and kept-alive connections all agree with clamd', async () => {
      const inputs = await Promise.all(
        Array.from({ length: 12 }, (_, i) => tempFile(`f${i}.bin`, i % 3 === 0 ? `${eicar()}` : i % 3 === 1 ? `text ${i} ${MARKER} end` : `plain text ${i}\n`)),
      );
      const verdicts = await Promise.all(inputs.map((input) => engine.scan(input, AbortSignal.timeout(60_000))));
      const expected = await Promise.all(inputs.map((input) => clamdSays(input.path)));
      assert.deepEqual(
        verdicts.map((v) => v.result),
        expected,
      );
      assert.deepEqual(
        verdicts.map((v) => v.category),
        expected.map((e) => (e ? 'malicious' : 'undetected')),
      );
    });

    it('an empty file is undetected', async () => {
      const input = await tempFile('empty', '');
      const verdict = await engine.scan(input, AbortSignal.timeout(30_000));
      assert.equal(verdict.category, 'undetected');
    });
  });

  describe('a server that stops', () => {
    it('killing c-icap mid-scan gives that engine failure, the rest of the analysis completes, and the engine is down', async () => {
      const own = await startTestCIcap(clamd.socketPath);
      const engine = icapEngine(own.url, 'ICAP Doomed');
      const clamav = createClamavEngine({ clamd: clamd.socketPath, workDir: scratchDir(), logger });
      try {
        assert.equal((await engine.start()).ready, true);
        assert.equal((await clamav.start()).ready, true);
        const pipeline = new FilePipeline({ host: await startedHost({ engine: [engine, clamav] }), logger });
        const input = await tempFile('eicar.com', eicar());
        // Frozen, c-icap's kernel socket still accepts the connection: the scan is surely in flight when it dies.
        own.freeze();
        const running = pipeline.run(input, AbortSignal.timeout(60_000));
        await waitFor('the scan to connect to the frozen c-icap', async () => (await establishedTo(own.port)) > 0, 20_000);
        await own.kill();
        const { results } = await running;
        const byName = Object.fromEntries(results.map((r) => [r.engine_name, r]));
        assert.equal(byName['ICAP Doomed']?.category, 'failure');
        assert.equal(byName.ClamAV?.category, 'malicious');
        const down = await waitFor('the engine to be marked down', () => (engine.status!().down ? engine.status!() : undefined));
        assert.equal(down.ready, false);
        assert.match(down.detail ?? '', /does not answer OPTIONS/);
        // Down, the next analysis records failure without waiting on the dead server.
        const next = await pipeline.run(await tempFile('clean.txt', 'clean'), AbortSignal.timeout(60_000));
        assert.equal(next.results.find((r) => r.engine_name === 'ICAP Doomed')?.category, 'failure');
        assert.equal(next.results.find((r) => r.engine_name === 'ClamAV')?.category, 'undetected');
        // Started again where it listened, the server is found by the engine's retries and scans again.
        const again = await startTestCIcap(clamd.socketPath, { port: own.port });
        try {
          await waitFor('the engine to be ready again', () => engine.status!().ready, 20_000);
          const back = await pipeline.run(input, AbortSignal.timeout(60_000));
          assert.equal(back.results.find((r) => r.engine_name === 'ICAP Doomed')?.category, 'malicious');
        } finally {
          await again.stop();
        }
      } finally {
        await engine.close();
        await clamav.close();
        await own.stop();
      }
    });

    it('a server that is not there at start is down with the reason, not an exception', async () => {
      const engine = icapEngine('icap://127.0.0.1:9/avscan', 'ICAP Absent');
      try {
        const readiness = await engine.start();
        assert.equal(readiness.ready, false);
        assert.equal(readiness.down, true);
        assert.match(readiness.detail ?? '', /127\.0\.0\.1:9.*does not answer OPTIONS/);
      } finally {
        await engine.close();
      }
    });
  });
});

/** Established TCP connections to 127.0.0.1:<port>, from `ss` (iproute2). */
async function establishedTo(port: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`]);
  return stdout.split('\n').filter((l) => l.trim() !== '').length;
}
