// GET /resolutions/{id}: the resolution object with the host's and address's stats, and 404 for an unknown one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verdictCategories } from '../../core/verdict.js';
import { alice, assertError, assertOk, BASE, createTestApp, type TestApp } from '../testing/harness.js';

const zeroStats = Object.fromEntries(verdictCategories.map((c) => [c, 0]));

describe('resolutions', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    const resolution = { id: '93.184.216.34example.com', ipAddress: '93.184.216.34', hostName: 'example.com', resolver: 'dns', firstSeen: 1_600_000_000, lastSeen: 1_700_000_000 };
    t.fake.state.network.resolutions.set(resolution.id, { resolution, hostStats: { harmless: 2, undetected: 5 }, ipStats: null });
  });
  after(async () => {
    await t.close();
  });

  it('the object: date is the last time seen; stats in all eight keys, left out for an address without an object', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v3/resolutions/93.184.216.34example.com', headers: alice });
    assertOk(res);
    assert.deepEqual(res.json(), {
      data: {
        type: 'resolution',
        id: '93.184.216.34example.com',
        links: { self: `${BASE}/api/v3/resolutions/93.184.216.34example.com` },
        attributes: {
          date: 1_700_000_000,
          host_name: 'example.com',
          ip_address: '93.184.216.34',
          resolver: 'dns',
          host_name_last_analysis_stats: { ...zeroStats, harmless: 2, undetected: 5 },
        },
      },
    });
  });

  it('an unknown resolution: 404 NotFoundError', async () => {
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/resolutions/192.0.2.1nowhere.example', headers: alice }), 404, 'NotFoundError');
  });
});
