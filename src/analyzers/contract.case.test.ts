/** The analyzer contract every analyzer's test runs (runAnalyzerContract) over the real component. Not a test on its own. */
import assert from 'node:assert/strict';
import type { Analyzer, AnalyzerOutput, FileInput } from '../core/plugin.js';
import { runPluginContract } from '../pipeline/testing/plugin-contract.js';

export interface AnalyzerFixtures {
  /** A file the analyzer must describe with at least one attribute. */
  sample: FileInput;
}

export function runAnalyzerContract(name: string, makeAnalyzer: () => Analyzer | Promise<Analyzer>, fixtures: AnalyzerFixtures): void {
  runPluginContract({
    kind: 'analyzer',
    name,
    makePlugin: makeAnalyzer,
    subject: { kind: 'file', size: fixtures.sample.size },
    call: (analyzer, signal) => analyzer.analyze(fixtures.sample, signal),
    check: (output: AnalyzerOutput) => {
      assert.ok(Object.keys(output.attributes).length > 0, 'some attribute for the sample');
      // Attributes become the file object's JSON: plain values only.
      assert.deepEqual(JSON.parse(JSON.stringify(output.attributes)), output.attributes);
      for (const tag of output.tags ?? []) assert.match(tag, /^[a-z0-9_.-]+$/i);
    },
  });
}
