// Analyses endpoints, authentication and quota group.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { alice, assertError, createTestApp, type TestApp } from '../testing/harness.js';

describe('analyses: authentication', () => {
  let t: TestApp;
  let urls: string[];
  before(async () => {
    t = await createTestApp();
    const id = t.fake.seedFile(Buffer.from('x'), { analyses: [[]] }).lastAnalysisId!;
    urls = [`/api/v3/analyses/${id}`, `/api/v3/analyses/${id}/item`, `/api/v3/analyses/${id}/relationships/item`];
  });
  after(async () => {
    await t.close();
  });

  it('no key: 401 AuthenticationRequiredError; wrong key: 401 WrongCredentialsError', async () => {
    for (const url of urls) {
      assertError(await t.app.inject({ method: 'GET', url }), 401, 'AuthenticationRequiredError');
      assertError(await t.app.inject({ method: 'GET', url, headers: { 'x-apikey': 'wrong' } }), 401, 'WrongCredentialsError');
    }
  });

  it('counts each request once under "analyses"', async () => {
    for (const url of urls) {
      t.fake.state.admitted.length = 0;
      assert.equal((await t.app.inject({ method: 'GET', url, headers: alice })).statusCode, 200);
      assert.deepEqual(t.fake.state.admitted, [{ userId: 'u-alice', group: 'analyses' }]);
    }
  });
});
