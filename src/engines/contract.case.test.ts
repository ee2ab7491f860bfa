/**
 * The engine contract every engine's test runs (runEngineContract), through a real plugin host, the golden fixtures of
 * test/fixtures/engines (runGoldenFixtures), and small helpers for engine tests. Not a test on its own.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Engine, EngineVerdict, FileInput, Readiness } from '../core/plugin.js';
import { verdictCategories } from '../core/verdict.js';
import { FilePipeline } from '../pipeline/file-pipeline.js';
import type { PluginHost } from '../pipeline/plugin-host.js';
import { startedHost } from '../pipeline/testing/started-host.js';
import { packageRoot } from '../runtime/package-root.js';

export interface ContractFixtures {
  /** A harmless file the engine must answer with a VT category. */
  benign: FileInput;
}

export function runEngineContract(name: string, makeEngine: () => Engine | Promise<Engine>, fixtures: ContractFixtures): void {
  describe(`${name}: engine contract`, () => {
    let engine: Engine;
    let readiness: Readiness;
    let host: PluginHost;

    before(async () => {
      engine = await makeEngine();
    });
    after(async () => {
      await host?.close();
      await engine?.close();
    });

    it('declares a usable manifest', () => {
      const m = engine.manifest;
      assert.equal(m.name, name);
      assert.match(m.version, /^\d+\.\d+\.\d+/);
      assert.ok(m.description.length > 0);
      assert.ok(m.accepts.kinds.includes('file'));
      if (m.accepts.maxBytes !== undefined) assert.ok(Number.isInteger(m.accepts.maxBytes) && m.accepts.maxBytes > 0);
      assert.ok(m.timeoutMs > 0);
      assert.equal(typeof m.needsNetwork, 'boolean');
    });

    it('start() resolves to a Readiness (and a live status(), when the engine has one, agrees)', async () => {
      // Started by the plugin host, as the service starts it.
      host = await startedHost({ engine: [engine] });
      readiness = host.readiness(engine);
      assert.equal(typeof readiness.ready, 'boolean');
      if (!readiness.ready) assert.ok(readiness.detail, 'a not-ready engine says why');
      if (engine.status) assert.equal(engine.status().ready, readiness.ready);
    });

    it('through the host, a file fixture it accepts gets its verdict and one it refuses type-unsupported', async (t) => {
      if (!readiness.ready) return t.skip(`not ready: ${readiness.detail}`);
      const pipeline = new FilePipeline({ host, logger: pino({ level: 'silent' }) });
      const { results } = await pipeline.run(fixtures.benign, AbortSignal.timeout(30_000));
      assert.deepEqual(results.map((r) => r.engine_name), [name]);
      assert.ok(['undetected', 'harmless'].includes(results[0]!.category), `benign file got ${results[0]!.category}`);
      const { maxBytes } = engine.manifest.accepts;
      if (maxBytes !== undefined) {
        const route = host.route([engine], { kind: 'file', size: maxBytes + 1 });
        assert.deepEqual([route.run, route.refused], [[], [engine]], 'a file over maxBytes is refused');
      }
      for (const kind of ['url', 'domain', 'ip'] as const) assert.deepEqual(host.route([engine], { kind }).run, [], `a ${kind} is not routed to a file engine`);
    });

    it('answers a benign file with a VT category', async (t) => {
      if (!readiness.ready) return t.skip(`not ready: ${readiness.detail}`);
      const verdict = await engine.scan(fixtures.benign, AbortSignal.timeout(30_000));
      assertVerdictShape(verdict);
      assert.ok(['undetected', 'harmless'].includes(verdict.category), `benign file got ${verdict.category}`);
    });

    it('rejects with the reason of an aborted signal', async () => {
      const controller = new AbortController();
      controller.abort(new Error('aborted by the contract test'));
      await assert.rejects(engine.scan(fixtures.benign, controller.signal), /aborted by the contract test/);
    });

    it('close() is idempotent, and the host calls it no more', async () => {
      await host.close();
      await engine.close();
      const outcome = await host.call('engine', engine, (s) => engine.scan(fixtures.benign, s), AbortSignal.timeout(1_000));
      assert.equal(outcome.kind, 'not-ready');
    });
  });
}

export function assertVerdictShape(v: EngineVerdict): void {
  assert.ok((verdictCategories as readonly string[]).includes(v.category), `category ${v.category}`);
  assert.ok(v.result === null || (typeof v.result === 'string' && v.result.length > 0));
  assert.ok(v.method.length > 0);
  assert.equal(typeof v.engineVersion, 'string');
  assert.equal(typeof v.engineUpdate, 'string');
}

/** A FileInput for a file on disk, with its real hashes. */
export async function fileInputFor(file: string, names: readonly string[] = [path.basename(file)]): Promise<FileInput> {
  const data = await fs.readFile(file);
  const hash = (algorithm: string) => createHash(algorithm).update(data).digest('hex');
  return { path: file, size: data.length, md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256'), names };
}

let scratch: string | undefined;

/** A temp directory for this test process, removed when it exits. */
export function scratchDir(): string {
  if (!scratch) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'assay-engine-test-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return scratch;
}

/** Writes `content` to a fresh file in the scratch directory. */
export async function tempFile(name: string, content: string | Buffer): Promise<FileInput> {
  const dir = await fs.mkdtemp(path.join(scratchDir(), 'f-'));
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return fileInputFor(file);
}

/** The 68-byte EICAR test file, assembled at run time so no source file contains it whole. */
export function eicar(): string {
  return ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-', 'TEST-FILE!$H+H*'].join('');
}

export { waitFor } from '../../test/support/wait-for.js';

export interface GoldenFixture {
  sha256: string;
  path: string;
  name: string;
  description: string;
  expected: Record<string, { category: string; result: string | null }>;
}

/** test/fixtures/engines: each sample is named by its sha256, with `<sha256>.json` giving the expected verdicts. */
export function goldenFixtures(): GoldenFixture[] {
  const dir = path.join(packageRoot(), 'test', 'fixtures', 'engines');
  return readdirSync(dir)
    .filter((f) => /^[0-9a-f]{64}$/.test(f))
    .sort()
    .map((sha256) => {
      const meta = JSON.parse(readFileSync(path.join(dir, `${sha256}.json`), 'utf8')) as Omit<GoldenFixture, 'sha256' | 'path'>;
      return { sha256, path: path.join(dir, sha256), ...meta };
    });
}

/** Scans every golden fixture that names this engine and compares category and result. */
export function runGoldenFixtures(name: string, engine: () => Engine): void {
  describe(`${name}: golden fixtures`, () => {
    for (const fixture of goldenFixtures()) {
      const expected = fixture.expected[name];
      if (!expected) continue;
      it(`${fixture.name} (${fixture.sha256.slice(0, 12)}) is ${expected.category}`, async () => {
        const input = await fileInputFor(fixture.path, [fixture.name]);
        assert.equal(input.sha256, fixture.sha256, 'fixture content matches its name');
        const verdict = await engine().scan(input, AbortSignal.timeout(30_000));
        assert.deepEqual({ category: verdict.category, result: verdict.result }, expected);
      });
    }
  });
}
