/** A URL analysis whose job kept failing ends with a failure per URL engine, once, on a real SQLite store. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { UrlEngine } from '../core/plugin.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { abandonUrlAnalysis } from './analyse-url-job.js';
import { startedHost } from './testing/started-host.js';

const engine = (name: string, ready = true): UrlEngine => ({
  manifest: { name, version: '1', description: name, accepts: { kinds: ['url'] }, timeoutMs: 1000, needsNetwork: false },
  start: async () => (ready ? { ready, engineUpdate: '20261128' } : { ready, detail: 'no feed imported' }),
  scanUrl: async () => ({ category: 'harmless', result: 'clean', method: 'blacklist' }),
  close: async () => {},
});

test('abandoning completes the analysis with failures and an explanation, and only once', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'assay-abandon-url-'));
  const { store } = await openSqlite(path.join(dir, 'assay.db'));
  try {
    await store.migrate();
    const urlId = 'a'.repeat(64);
    await store.urls.recordSubmission({ id: urlId, url: 'http://example.com/', canonicalUrl: 'http://example.com/', at: 1 });
    await store.analyses.create({ id: 'u-x-1', itemType: 'url', itemId: urlId, date: 1 });
    // An engine never ready is left out, as it would be from a real analysis.
    const host = await startedHost({ 'url-engine': [engine('Assay URL heuristics'), engine('URLhaus'), engine('PhishTank', false)] });
    const deps = { store, now: () => 5_000, host };
    assert.equal(await abandonUrlAnalysis(deps, { analysisId: 'u-x-1', urlId }, 'fetch kept crashing'), true);
    const analysis = await store.analyses.get('u-x-1');
    assert.equal(analysis?.status, 'completed');
    assert.deepEqual(analysis?.results.map((r) => [r.engine_name, r.category]), [['Assay URL heuristics', 'failure'], ['URLhaus', 'failure']]);
    assert.equal(analysis?.stats.failure, 2);
    assert.deepEqual(analysis?.results.map((r) => r.engine_update), ['20261128', '20261128']);
    const url = await store.urls.get(urlId);
    assert.deepEqual(url?.attributes.last_fetch_error, { reason: 'analysis-failed', message: 'fetch kept crashing' });
    assert.equal(await abandonUrlAnalysis(deps, { analysisId: 'u-x-1', urlId }, 'again'), false, 'a completed analysis is not completed twice');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
