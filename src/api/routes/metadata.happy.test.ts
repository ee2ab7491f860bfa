// GET /api/v3/metadata: the shape vt-cli's `vt init` caches.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alice, assertError, assertOk, createTestApp, type TestApp } from '../testing/harness.js';

describe('metadata', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('lists engines ready or not, relationships per type and privileges', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v3/metadata', headers: alice });
    assertOk(res);
    assert.deepEqual(res.json(), {
      data: {
        engines: {
          ClamAV: {
            name: 'ClamAV',
            version: '0.1.0',
            description: 'ClamAV daemon',
            accepts: { kinds: ['file'] },
            timeoutMs: 30_000,
            needsNetwork: false,
            ready: true,
            detail: null,
            engine_version: '1.4.1',
            engine_update: '20240101',
          },
          YARA: {
            name: 'YARA',
            version: '0.1.0',
            description: 'YARA rules',
            accepts: { kinds: ['file'] },
            timeoutMs: 10_000,
            needsNetwork: false,
            ready: false,
            detail: 'no rules compiled',
            engine_version: null,
            engine_update: 'rules-3f2a',
          },
        },
        analyzers: {
          filetype: {
            name: 'filetype',
            version: '0.1.0',
            description: 'Magika and libmagic',
            accepts: { kinds: ['file'] },
            timeoutMs: 5_000,
            needsNetwork: false,
            ready: true,
            detail: null,
            engine_version: null,
            engine_update: null,
          },
        },
        relationships: {
          file: [{ name: 'analyses', description: 'Analyses of the file, newest first.' }],
          analysis: [{ name: 'item', description: 'The file that was analysed.' }],
        },
        privileges: ['admin', 'downloads'],
      },
    });
  });

  it('needs a key, and counts under "metadata"', async () => {
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/metadata' }), 401, 'AuthenticationRequiredError');
    t.fake.state.admitted.length = 0;
    await t.app.inject({ method: 'GET', url: '/api/v3/metadata', headers: alice });
    assert.deepEqual(t.fake.state.admitted, [{ userId: 'u-alice', group: 'metadata' }]);
  });
});
