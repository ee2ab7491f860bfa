/** The URL engine contract every URL engine's test runs (runUrlEngineContract) over the real component. Not a test on its own. */
import assert from 'node:assert/strict';
import type { UrlCategory, UrlEngine, UrlInput, UrlVerdict } from '../core/plugin.js';
import { runPluginContract } from '../pipeline/testing/plugin-contract.js';

const URL_CATEGORIES: readonly UrlCategory[] = ['malicious', 'suspicious', 'undetected', 'harmless'];

export interface UrlEngineFixtures {
  /** A URL the engine must answer with a VT URL category; `expected` when the test knows it. */
  url: UrlInput;
  expected?: UrlCategory;
}

export function assertUrlVerdictShape(v: UrlVerdict): void {
  assert.ok(URL_CATEGORIES.includes(v.category), `category ${v.category}`);
  assert.ok(v.result.length > 0);
  assert.ok(v.method.length > 0);
  if (v.engineUpdate !== undefined) assert.match(v.engineUpdate, /^\d{8}$/);
}

export function runUrlEngineContract(name: string, makeEngine: () => UrlEngine | Promise<UrlEngine>, fixtures: UrlEngineFixtures): void {
  runPluginContract({
    kind: 'url-engine',
    name,
    makePlugin: makeEngine,
    subject: { kind: 'url' },
    call: (engine, signal) => engine.scanUrl(fixtures.url, signal),
    check: (verdict: UrlVerdict) => {
      assertUrlVerdictShape(verdict);
      if (fixtures.expected) assert.equal(verdict.category, fixtures.expected);
    },
  });
}
