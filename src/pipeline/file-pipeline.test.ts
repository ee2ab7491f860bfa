/** The pipeline's guarantees: one entry per runnable engine, failures mapped to VT categories, through the plugin host. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { Analyzer, Engine, EngineVerdict, FileInput, PluginManifest, Readiness } from '../core/plugin.js';
import { PluginError } from '../core/plugin.js';
import { FilePipeline } from './file-pipeline.js';
import { startedHost } from './testing/started-host.js';

const input: FileInput = { path: '/dev/null', size: 10, md5: 'm', sha1: 's', sha256: 'h', names: [] };
const logger = pino({ level: 'silent' });

function manifest(name: string, extra: Partial<PluginManifest> = {}): PluginManifest {
  return { name, version: '1', description: name, accepts: { kinds: ['file'] }, timeoutMs: 200, needsNetwork: false, ...extra };
}

function fakeEngine(name: string, scan: Engine['scan'], extra: Partial<PluginManifest> = {}, readiness: Readiness = { ready: true, engineVersion: '9' }): Engine {
  return { manifest: manifest(name, extra), start: async () => readiness, scan, close: async () => {} };
}

const verdict = (v: Partial<EngineVerdict> = {}): EngineVerdict => ({
  category: 'undetected', result: null, method: 'blacklist', engineVersion: '9', engineUpdate: '20260101', ...v,
});

test('a throw is failure, a deadline is timeout, a refused type is type-unsupported', async () => {
  const host = await startedHost({
    engine: [
      fakeEngine('ok', async () => verdict({ category: 'malicious', result: 'Bad' })),
      fakeEngine('throws', async () => {
        throw new PluginError('daemon_unreachable', 'no socket');
      }),
      fakeEngine('slow', (_i, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)))),
      fakeEngine('pe-only', async () => verdict(), { accepts: { kinds: ['file'], typeTags: ['peexe'] } }),
      fakeEngine('small-only', async () => verdict(), { accepts: { kinds: ['file'], maxBytes: 5 } }),
      fakeEngine('off', async () => verdict(), {}, { ready: false, detail: 'not installed' }),
    ],
  });
  const pipeline = new FilePipeline({ host, logger });
  const { results } = await pipeline.run(input, new AbortController().signal);
  const byName = Object.fromEntries(results.map((r) => [r.engine_name, r]));
  assert.deepEqual(Object.keys(byName).sort(), ['ok', 'pe-only', 'slow', 'small-only', 'throws']);
  assert.equal(byName.ok!.category, 'malicious');
  assert.equal(byName.ok!.result, 'Bad');
  assert.equal(byName.throws!.category, 'failure');
  assert.equal(byName.slow!.category, 'timeout');
  assert.equal(byName['pe-only']!.category, 'type-unsupported');
  assert.equal(byName['small-only']!.category, 'type-unsupported');
});

test('analyzer attributes feed the type check and engines add list attributes', async () => {
  const analyzer: Analyzer = {
    manifest: manifest('filetype'),
    start: async () => ({ ready: true }),
    analyze: async () => ({ attributes: { type_tag: 'peexe', magic: 'PE32' }, tags: ['peexe'] }),
    close: async () => {},
  };
  const broken: Analyzer = { ...analyzer, manifest: manifest('broken'), analyze: async () => Promise.reject(new Error('boom')) };
  const yaraLike = (rule: string) => async () => verdict({ category: 'suspicious', attributes: { crowdsourced_yara_results: [{ rule_name: rule }] } });
  const host = await startedHost({
    analyzer: [analyzer, broken],
    engine: [
      fakeEngine('pe-only', async () => verdict(), { accepts: { kinds: ['file'], typeTags: ['peexe'] } }),
      fakeEngine('y1', yaraLike('r1')),
      fakeEngine('y2', yaraLike('r2')),
    ],
  });
  const pipeline = new FilePipeline({ host, logger });
  const out = await pipeline.run(input, new AbortController().signal);
  assert.equal(out.attributes.magic, 'PE32');
  assert.deepEqual(out.tags, ['peexe']);
  assert.equal(out.results.find((r) => r.engine_name === 'pe-only')!.category, 'undetected');
  assert.deepEqual((out.attributes.crowdsourced_yara_results as Array<{ rule_name: string }>).map((r) => r.rule_name).sort(), ['r1', 'r2']);
});

test('an engine that was ready and went down is a failure; one never ready stays out', async () => {
  let alive = true;
  const supervised: Engine = {
    ...fakeEngine('daemon', async () => verdict({ category: 'harmless' })),
    status: () => (alive ? { ready: true, engineVersion: '2', engineUpdate: '20260102' } : { ready: false, detail: 'daemon exited, restarting', engineVersion: '2', engineUpdate: '20260102' }),
  };
  const host = await startedHost({ engine: [supervised, fakeEngine('never', async () => verdict(), {}, { ready: false, detail: 'not installed' })] });
  const pipeline = new FilePipeline({ host, logger });
  assert.deepEqual((await pipeline.run(input, new AbortController().signal)).results.map((r) => [r.engine_name, r.category]), [['daemon', 'harmless']]);
  alive = false;
  const { results } = await pipeline.run(input, new AbortController().signal);
  assert.deepEqual(results, [{ engine_name: 'daemon', category: 'failure', result: null, method: 'blacklist', engine_version: '2', engine_update: '20260102' }]);
});

test('an engine that says it is down is a failure, one that is unavailable stays out', async () => {
  let scanned = 0;
  const host = await startedHost({
    engine: [
      fakeEngine('restarting', async () => (scanned++, verdict()), {}, { ready: false, down: true, detail: 'clamd not answering PING; restarting', engineVersion: '9' }),
      fakeEngine('absent', async () => (scanned++, verdict()), {}, { ready: false, detail: 'not installed' }),
    ],
  });
  const pipeline = new FilePipeline({ host, logger });
  const { results } = await pipeline.run(input, new AbortController().signal);
  assert.deepEqual(results.map((r) => [r.engine_name, r.category, r.engine_version]), [['restarting', 'failure', '9']]);
  assert.equal(scanned, 0);
});

test('typed analyzers run after the filetype analyzer, only on their types, and see the type tag', async () => {
  const seen: string[] = [];
  const untyped = (name: string, attributes: Record<string, unknown>): Analyzer => ({
    manifest: manifest(name),
    start: async () => ({ ready: true }),
    status: () => ({ ready: true }),
    analyze: async () => ({ attributes }),
    close: async () => {},
  });
  const typed = (name: string, typeTags: string[]): Analyzer => ({
    ...untyped(name, {}),
    manifest: manifest(name, { accepts: { kinds: ['file'], typeTags } }),
    analyze: async (i) => {
      seen.push(`${name}:${i.typeTag}`);
      return { attributes: { [`${name}_info`]: true } };
    },
  });
  const host = await startedHost({ analyzer: [typed('pe', ['peexe', 'pedll']), typed('pdf', ['pdf']), untyped('filetype', { type_tag: 'peexe' })] });
  const pipeline = new FilePipeline({ host, logger });
  const { attributes } = await pipeline.run(input, new AbortController().signal);
  assert.deepEqual(seen, ['pe:peexe']);
  assert.equal(attributes.pe_info, true);
  assert.equal(attributes.pdf_info, undefined);
});
