/** Redis quota counters against the contract, each test under its own key prefix. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testRedisPrefix, testRedisUrl } from '../../../test/support/redis.js';
import { runQuotaCountersContract } from '../quota-counters.case.test.js';
import { openRedisQuotaCounters, RedisQuotaCounters } from './redis-quota-counters.js';

runQuotaCountersContract('redis', async () => openRedisQuotaCounters(await testRedisUrl(), { prefix: testRedisPrefix() }));

describe('redis quota counters', () => {
  test('counters and usage live under the prefix, with TTLs', async () => {
    const url = await testRedisUrl();
    const prefix = testRedisPrefix();
    const { counters, close } = await openRedisQuotaCounters(url, { prefix });
    const { Redis } = await import('ioredis');
    const raw = new Redis(url);
    try {
      const now = Math.floor(Date.now() / 1000);
      await counters.admit([{ key: 'user:a:minute:1', limit: 4, expiresAt: now + 60 }], now);
      await counters.recordUsage('a', '2025-01-01', 'files');
      assert.deepEqual((await raw.keys(`${prefix}*`)).sort(), [`${prefix}q:user:a:minute:1`, `${prefix}u:a:2025-01-01`]);
      const counterTtl = await raw.ttl(`${prefix}q:user:a:minute:1`);
      assert.ok(counterTtl > 0 && counterTtl <= 60, `counter TTL ${counterTtl}`);
      const usageTtl = await raw.ttl(`${prefix}u:a:2025-01-01`);
      assert.ok(usageTtl > 69 * 86_400 && usageTtl <= 70 * 86_400, `usage TTL ${usageTtl}`);
    } finally {
      await raw.quit();
      await close();
    }
  });

  test('a script Redis does not hold (NOSCRIPT: fresh or flushed) is loaded and run', async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(await testRedisUrl());
    // Flushing the script cache of a possibly shared server is not ours to do; pretend instead.
    redis.evalsha = (async () => {
      throw new Error('NOSCRIPT No matching script. Please use EVAL.');
    }) as unknown as typeof redis.evalsha;
    try {
      const counters = new RedisQuotaCounters(redis, { prefix: testRedisPrefix() });
      assert.deepEqual(await counters.admit([{ key: 'k', limit: 1, expiresAt: 2_000_000_000 }], 1_700_000_000), { admitted: true, counts: [1] });
    } finally {
      await redis.quit();
    }
  });

  test('an unreachable Redis fails at open', async () => {
    await assert.rejects(openRedisQuotaCounters('redis://127.0.0.1:1'), /did not answer/);
  });
});
