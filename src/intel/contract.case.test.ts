/** The intel source contract every source's test runs (runIntelSourceContract) over the real component. Not a test on its own. */
import assert from 'node:assert/strict';
import type { IntelResult, IntelSource, IntelTarget } from '../core/plugin.js';
import { runPluginContract } from '../pipeline/testing/plugin-contract.js';

export interface IntelFixtures {
  /** A target the source answers (its test's own server, or local data). */
  target: IntelTarget;
}

export function runIntelSourceContract(name: string, makeSource: () => IntelSource | Promise<IntelSource>, fixtures: IntelFixtures): void {
  runPluginContract({
    kind: 'intel-source',
    name,
    makePlugin: async () => {
      const source = await makeSource();
      assert.ok(Number.isInteger(source.cacheTtlMs) && source.cacheTtlMs > 0, 'a cache TTL');
      return source;
    },
    subject: { kind: fixtures.target.kind },
    call: (source, signal) => source.lookup(fixtures.target, signal),
    check: (result: IntelResult) => {
      assert.ok(Object.keys(result.attributes).length > 0, 'some attribute for the target');
      assert.deepEqual(JSON.parse(JSON.stringify(result.attributes)), result.attributes);
      assert.equal(result.freshness, undefined, 'freshness is the cache\'s to set');
      for (const r of result.resolutions ?? []) assert.ok(r.hostName && r.ipAddress && r.resolver);
    },
  });
}
