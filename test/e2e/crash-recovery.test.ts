/** Nothing accepted is lost: SIGKILL the server mid-analysis, restart it, and every submission completes. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { api, startServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
after(async () => server?.stop());

test('every accepted submission, files and URLs, completes after a kill -9 and a restart', async () => {
  // One slow-ish worker and a short lease, so that work is in flight when the process dies and
  // the jobs it held are taken up again soon after the restart.
  const env = { ASSAY_WORKER_CONCURRENCY: '1', ASSAY_JOB_LEASE_MS: '1500', ASSAY_JOB_POLL_MS: '100' };
  server = await startServer({ env });
  const client = api(server, server.adminKey);
  const ids: string[] = [];
  // Random 4 MB samples keep each analysis busy long enough for a backlog to build up.
  for (let i = 0; i < 20; i++) {
    const res = await client.upload(randomBytes(4 * 1024 * 1024), `sample-${i}.bin`);
    assert.equal(res.status, 200, res.text);
    ids.push(res.json.data.id);
  }
  // URL submissions queue behind the files (one worker, oldest first): pending when the process dies.
  const urlIds: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const res = await client.post('/urls', new URLSearchParams({ url: `http://192.0.2.${i}/crash-${i}` }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(res.status, 200, res.text);
    urlIds.push(res.json.data.id);
  }
  const statuses = await Promise.all(ids.map(async (id) => (await client.get(`/analyses/${encodeURIComponent(id)}`)).json.data.attributes.status));
  assert.ok(statuses.some((s) => s !== 'completed'), 'some analyses must still be pending when the server is killed');

  await server.kill9();
  server = await startServer({ dataDir: server.dataDir, adminKey: server.adminKey, env });
  const after = api(server, server.adminKey);
  for (const id of ids) {
    const analysis = await after.waitForAnalysis(id, 90_000);
    assert.equal(analysis.data.attributes.status, 'completed');
    assert.ok(Object.keys(analysis.data.attributes.results).length >= 2, 'engines ran');
  }
  for (const id of urlIds) {
    const analysis = await after.waitForAnalysis(id, 90_000);
    assert.equal(analysis.data.attributes.status, 'completed');
    assert.ok(analysis.data.attributes.results['Assay URL heuristics'], 'the URL engines ran');
  }
});
