/** The analysis job over a real SQLite store and blob directory, with stand-in engines. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Engine } from '../core/plugin.js';
import { FsBlobStore } from '../store/blob-fs/fs-blob-store.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { abandonFileAnalysis, analyseFile } from './analyse-file-job.js';
import { FilePipeline } from './file-pipeline.js';
import { startedHost } from './testing/started-host.js';

const logger = pino({ level: 'silent' });

async function setup() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-job-'));
  const { store } = await openSqlite(path.join(dir, 'db.sqlite'));
  await store.migrate();
  const blobs = new FsBlobStore(path.join(dir, 'blobs'));
  const body = Buffer.from('job test sample');
  const h = (a: string) => createHash(a).update(body).digest('hex');
  const staged = await blobs.stage();
  await blobs.withStagedFile(staged, (file) => fs.writeFile(file, body));
  await blobs.commit(staged, h('sha256'));
  await store.files.recordSubmission({ md5: h('md5'), sha1: h('sha1'), sha256: h('sha256'), size: body.length, at: 1 });
  await store.analyses.create({ id: 'a1', itemType: 'file', itemId: h('sha256'), date: 1 });
  let scans = 0;
  const engine: Engine = {
    manifest: { name: 'Stub', version: '1', description: 'stub', accepts: { kinds: ['file'] }, timeoutMs: 1000, needsNetwork: false },
    start: async () => ({ ready: true, engineVersion: '1', engineUpdate: '20260101' }),
    scan: async () => {
      scans += 1;
      return { category: 'malicious', result: 'Stub.Bad', method: 'blacklist', engineVersion: '1', engineUpdate: '20260101' };
    },
    close: async () => {},
  };
  const host = await startedHost({ engine: [engine] });
  const pipeline = new FilePipeline({ host, logger });
  return { store, blobs, pipeline, host, sha256: h('sha256'), scans: () => scans, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

test('a job completes its analysis once; a re-run finds it done and scans nothing', async () => {
  const s = await setup();
  const deps = { store: s.store, blobs: s.blobs, pipeline: s.pipeline, logger, now: () => 5_000 };
  const payload = { analysisId: 'a1', sha256: s.sha256 };
  assert.equal(await analyseFile(deps, payload, new AbortController().signal), 'completed');
  assert.equal(await analyseFile(deps, payload, new AbortController().signal), 'already-completed');
  assert.equal(s.scans(), 1);
  const file = await s.store.files.findByHash('sha256', s.sha256);
  assert.equal(file?.lastAnalysisStats?.malicious, 1);
  assert.equal(file?.lastAnalysisDate, 5);
  await s.store.close();
  await s.cleanup();
});

test('an abandoned analysis completes with a failure per engine', async () => {
  const s = await setup();
  assert.equal(await abandonFileAnalysis({ store: s.store, now: () => 9_000, host: s.host }, { analysisId: 'a1', sha256: s.sha256 }), true);
  const analysis = await s.store.analyses.get('a1');
  assert.equal(analysis?.status, 'completed');
  assert.deepEqual(analysis?.results.map((r) => [r.engine_name, r.category]), [['Stub', 'failure']]);
  assert.equal(analysis?.stats.failure, 1);
  await s.store.close();
  await s.cleanup();
});
