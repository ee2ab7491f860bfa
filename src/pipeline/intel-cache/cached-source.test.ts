/** The cache decorator the host puts in front of intel sources: freshness reported, force passed on, the source's lifecycle kept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IntelResult, IntelSource, Readiness } from '../../core/plugin.js';
import { startedHost } from '../testing/started-host.js';
import { CachedIntel } from './cached-intel.js';
import { cachedSource } from './cached-source.js';
import { MemoryIntelCacheStore } from './memory-intel-cache-store.js';

function countingSource(status?: () => Readiness): IntelSource & { calls: number } {
  const source = {
    manifest: { name: 'counting', version: '1.0.0', description: 'counts', accepts: { kinds: ['domain' as const] }, timeoutMs: 5_000, needsNetwork: false },
    cacheTtlMs: 60_000,
    calls: 0,
    start: async (): Promise<Readiness> => ({ ready: true, detail: 'counting lookups' }),
    close: async () => {},
    lookup: async (): Promise<IntelResult> => ({ attributes: { call: ++source.calls } }),
    ...(status ? { status } : {}),
  };
  return source;
}

test('answers say whether they came from the cache; force asks the source again', async () => {
  let now = 1_000_000;
  const source = countingSource();
  const cache = new CachedIntel(new MemoryIntelCacheStore(), { now: () => now });
  const host = await startedHost({ 'intel-source': [source] }, { wrap: { 'intel-source': (s) => cachedSource(cache, s) } });
  const [wrapped] = host.list('intel-source');
  const ask = async (force = false) => {
    const outcome = await host.call('intel-source', wrapped!, (s) => wrapped!.lookup({ kind: 'domain', name: 'example.test' }, s, { force }), AbortSignal.timeout(5_000));
    assert.equal(outcome.kind, 'ok');
    return outcome.kind === 'ok' ? outcome.value : undefined;
  };
  const first = await ask();
  assert.deepEqual(first, { attributes: { call: 1 }, freshness: { fetchedAt: 1_000_000, fromCache: false, stale: false } });
  now += 1_000;
  assert.deepEqual(await ask(), { attributes: { call: 1 }, freshness: { fetchedAt: 1_000_000, fromCache: true, stale: false } });
  assert.deepEqual((await ask(true))?.attributes, { call: 2 });
  assert.equal(source.calls, 2);
  assert.deepEqual(host.readiness(wrapped!), { ready: true, detail: 'counting lookups' }, "the source's own readiness");
  await host.close();
});

test('a source with a live status() keeps it behind the cache; one without has none', () => {
  const cache = new CachedIntel(new MemoryIntelCacheStore());
  assert.equal(cachedSource(cache, countingSource()).status, undefined);
  const live = cachedSource(cache, countingSource(() => ({ ready: false, detail: 'feed missing' })));
  assert.deepEqual(live.status?.(), { ready: false, detail: 'feed missing' });
});
