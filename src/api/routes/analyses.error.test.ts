// Analyses endpoints, failures: unknown ids and relationships.
import { after, before, describe, it } from 'node:test';
import { alice, assertError, createTestApp, type TestApp } from '../testing/harness.js';

describe('analyses: errors', () => {
  let t: TestApp;
  let id: string;
  before(async () => {
    t = await createTestApp();
    id = t.fake.seedFile(Buffer.from('x'), { analyses: [[]] }).lastAnalysisId!;
  });
  after(async () => {
    await t.close();
  });

  it('an unknown analysis: 404 NotFoundError in every form', async () => {
    for (const suffix of ['', '/item', '/relationships/item']) {
      assertError(await t.app.inject({ method: 'GET', url: `/api/v3/analyses/bm9wZQ==${suffix}`, headers: alice }), 404, 'NotFoundError', 'Analysis "bm9wZQ==" not found');
    }
  });

  it('an unknown relationship: 400 InvalidArgumentError in every form', async () => {
    for (const url of [`/api/v3/analyses/${id}/author`, `/api/v3/analyses/${id}/relationships/author`, `/api/v3/analyses/${id}?relationships=item,author`]) {
      assertError(await t.app.inject({ method: 'GET', url, headers: alice }), 400, 'InvalidArgumentError', 'Unknown relationship "author" for analysis objects; known: item');
    }
  });
});
