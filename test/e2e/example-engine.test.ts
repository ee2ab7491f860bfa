/**
 * The worked example of adding an engine (docs/architecture.md): a small engine defined here calls
 * files containing ASSAY-EXAMPLE-MARKER malicious. It passes the engine contract, and registered
 * through `buildContainer`'s `plugins` option in a real container (SQLite, workers, the built-in
 * plugins), it is listed by /metadata, answers in a real analysis's last_analysis_results and is
 * counted in /metrics.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/api/build-app.js';
import { buildContainer, type Container } from '../../src/bootstrap/container.js';
import { loadConfig } from '../../src/config/config.js';
import type { Engine, EngineVerdict, FileInput } from '../../src/core/plugin.js';
import { runEngineContract, tempFile, waitFor } from '../../src/engines/contract.case.test.js';

const MARKER = 'ASSAY-EXAMPLE-MARKER';

/** The whole engine: a manifest, start(), scan() and close(). */
function createExampleEngine(): Engine {
  return {
    manifest: {
      name: 'Example',
      version: '1.0.0',
      description: `Calls files containing ${MARKER} malicious`,
      accepts: { kinds: ['file'], maxBytes: 1024 * 1024 },
      timeoutMs: 5_000,
      needsNetwork: false,
    },
    start: async () => ({ ready: true, engineVersion: '1.0.0', engineUpdate: '20261207', detail: 'looks for one marker' }),
    async scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict> {
      signal.throwIfAborted();
      const data = await fs.readFile(input.path, { signal });
      const found = data.includes(MARKER);
      return {
        category: found ? 'malicious' : 'undetected',
        result: found ? 'Example.Marker' : null,
        method: 'signature',
        engineVersion: '1.0.0',
        engineUpdate: '20261207',
      };
    },
    close: async () => {},
  };
}

const benign = await tempFile('benign.txt', 'an ordinary text file\n');
runEngineContract('Example', createExampleEngine, { benign });

describe('the example engine in a real container', () => {
  const apiKey = randomBytes(32).toString('hex');
  let dataDir: string;
  let container: Container;
  let app: FastifyInstance;

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-example-engine-'));
    const config = loadConfig(
      {
        dataDir,
        port: 0,
        bootstrapApiKey: apiKey,
        // No clamd here: ClamAV is listed not ready and left out; the example engine does not need it.
        clamd: path.join(dataDir, 'no-clamd.sock'),
        chromium: 'off',
        workerConcurrency: 1,
        jobPollMs: 50,
        magikaModelDir: process.env.ASSAY_MAGIKA_MODEL_DIR,
      },
      {},
    );
    container = await buildContainer(config, pino({ level: 'silent' }), { plugins: (registry) => registry.add('engine', createExampleEngine()) });
    await container.start({ runWorkers: true, acceptUploads: true });
    app = await buildApp({ services: container.services, config, logger: false, publicBaseUrl: () => 'http://assay.test' });
  });
  after(async () => {
    await app?.close();
    await container?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url, headers: { 'x-apikey': apiKey } });
    return { status: res.statusCode, text: res.body, json: () => res.json() };
  };

  it('is listed by GET /api/v3/metadata with the built-in engines', async () => {
    const res = await get('/api/v3/metadata');
    assert.equal(res.status, 200, res.text);
    const engines = res.json().data.engines;
    const names = Object.keys(engines);
    for (const name of ['ClamAV', 'YARA', 'Assay-PE', 'Example']) assert.ok(names.includes(name), `${name} listed among ${names.join(', ')}`);
    assert.equal(names.at(-1), 'Example', 'an engine registered by the caller comes after the built-in ones');
    assert.equal(engines.Example.ready, true);
    assert.equal(engines.Example.engine_version, '1.0.0');
    assert.equal(engines.Example.description, `Calls files containing ${MARKER} malicious`);
  });

  it("answers in a real analysis's last_analysis_results, and is counted in /metrics", async () => {
    const form = new FormData();
    form.append('file', new Blob([`some text\n${MARKER}\nmore text\n`]), 'marked.txt');
    const request = new Request('http://assay.test/api/v3/files', { method: 'POST', body: form });
    const upload = await app.inject({
      method: 'POST',
      url: '/api/v3/files',
      headers: { 'x-apikey': apiKey, 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    assert.equal(upload.statusCode, 200, upload.body);
    const analysisId = upload.json().data.id as string;
    const analysis = await waitFor('the analysis to complete', async () => {
      const res = await get(`/api/v3/analyses/${encodeURIComponent(analysisId)}`);
      return res.status === 200 && res.json().data.attributes.status === 'completed' ? res.json() : undefined;
    }, 60_000);
    const sha256 = analysis.meta.file_info.sha256 as string;
    const file = (await get(`/api/v3/files/${sha256}`)).json().data.attributes;
    assert.deepEqual(file.last_analysis_results.Example, {
      engine_name: 'Example',
      category: 'malicious',
      result: 'Example.Marker',
      method: 'signature',
      engine_version: '1.0.0',
      engine_update: '20261207',
    });
    assert.equal(file.last_analysis_stats.malicious >= 1, true);

    const metrics = await get('/metrics');
    assert.match(metrics.text, /assay_plugin_calls_total\{kind="engine",plugin="Example",outcome="ok"\} 1\b/);
    assert.match(metrics.text, /assay_plugin_call_seconds\{kind="engine",plugin="Example",outcome="ok"\} [0-9.e-]+/);
  });
});
