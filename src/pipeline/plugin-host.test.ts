/** The plugin host: start never throws, readiness after close, routing by manifest, call outcomes and their counts, sources. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { PluginError, type Engine, type PluginManifest, type Readiness, type UrlEngine } from '../core/plugin.js';
import { PluginHost } from './plugin-host.js';
import { PluginRegistry } from './plugin-registry.js';
import { startedHost } from './testing/started-host.js';

const logger = pino({ level: 'silent' });
const manifest = (name: string, extra: Partial<PluginManifest> = {}): PluginManifest => ({
  name, version: '1.0.0', description: name, accepts: { kinds: ['file'] }, timeoutMs: 100, needsNetwork: false, ...extra,
});

function engine(name: string, options: { start?: () => Promise<Readiness>; scan?: Engine['scan']; manifest?: Partial<PluginManifest> } = {}) {
  let closes = 0;
  let scans = 0;
  const plugin: Engine = {
    manifest: manifest(name, options.manifest),
    start: options.start ?? (async () => ({ ready: true })),
    scan: async (input, signal) => {
      scans += 1;
      return options.scan ? options.scan(input, signal) : { category: 'undetected', result: null, method: 'signature', engineVersion: '1', engineUpdate: '20260101' };
    },
    close: async () => void (closes += 1),
  };
  return { plugin, closes: () => closes, scans: () => scans };
}

const file = { path: '/dev/null', size: 10, md5: 'm', sha1: 's', sha256: 'h', names: [] };

test('a throw in start() is not-ready with its message, and the other plugins still start', async () => {
  const broken = engine('broken', { start: async () => { throw new Error('socket missing'); } });
  const fine = engine('fine');
  const host = new PluginHost(new PluginRegistry().add('engine', broken.plugin).add('engine', fine.plugin), { logger });
  const started = await host.start();
  assert.deepEqual(started.map((s) => [s.kind, s.name, s.readiness.ready]), [['engine', 'broken', false], ['engine', 'fine', true]]);
  assert.match(host.readiness(broken.plugin).detail ?? '', /socket missing/);
  assert.deepEqual(host.statuses().map((s) => [s.manifest.name, s.readiness.ready]), [['broken', false], ['fine', true]]);
});

test('after close() every plugin reads not ready "closed", is closed once and is never called', async () => {
  const one = engine('one');
  const host = await startedHost({ engine: [one.plugin] });
  await host.close();
  assert.deepEqual(host.readiness(one.plugin), { ready: false, detail: 'closed' });
  const outcome = await host.call('engine', one.plugin, (s) => one.plugin.scan(file, s), new AbortController().signal);
  assert.deepEqual(outcome, { kind: 'not-ready', detail: 'closed' });
  assert.equal(one.scans(), 0);
  assert.equal(one.closes(), 1);
});

test('route() follows the manifests: item kind, size and type tags', async () => {
  const any = engine('any').plugin;
  const small = engine('small', { manifest: { accepts: { kinds: ['file'], maxBytes: 5 } } }).plugin;
  const pe = engine('pe', { manifest: { accepts: { kinds: ['file'], typeTags: ['peexe'] } } }).plugin;
  const urls = engine('urls', { manifest: { accepts: { kinds: ['url'] } } }).plugin;
  const host = await startedHost({ engine: [any, small, pe, urls] });
  const names = (ps: Engine[]) => ps.map((p) => p.manifest.name);
  const text = host.route(host.list('engine'), { kind: 'file', size: 10, typeTag: 'text' });
  assert.deepEqual([names(text.run), names(text.refused)], [['any'], ['small', 'pe']]);
  const exe = host.route(host.list('engine'), { kind: 'file', size: 3, typeTag: 'peexe' });
  assert.deepEqual([names(exe.run), names(exe.refused)], [['any', 'small', 'pe'], []]);
  assert.deepEqual(names(host.route(host.list('engine'), { kind: 'url' }).run), ['urls']);
});

test('call(): a PluginError is failure with its flag, a deadline is timeout, and both are counted', async () => {
  const throws = engine('throws', { scan: async () => { throw new PluginError('daemon_unreachable', 'no socket'); } }).plugin;
  const hangs = engine('hangs', { scan: (_i, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))) }).plugin;
  const fine = engine('fine').plugin;
  const host = await startedHost({ engine: [throws, hangs, fine] });
  const signal = new AbortController().signal;
  const call = (e: Engine) => host.call('engine', e, (s) => e.scan(file, s), signal);
  assert.deepEqual(await call(throws), { kind: 'failure', flag: 'daemon_unreachable', message: 'no socket' });
  assert.equal((await call(hangs)).kind, 'timeout');
  assert.equal((await call(fine)).kind, 'ok');
  assert.equal((await call(fine)).kind, 'ok');
  const counts = Object.fromEntries(host.callStats().map((s) => [`${s.plugin}/${s.outcome}`, s.count]));
  assert.deepEqual(counts, { 'throws/failure': 1, 'hangs/timeout': 1, 'fine/ok': 2 });
  assert.ok(host.callStats().every((s) => s.kind === 'engine' && s.seconds >= 0));
});

test('a source adds plugins at run time; the host starts them when it next looks', async () => {
  let clock = 0;
  const found: UrlEngine[] = [];
  const feedEngine = (name: string): UrlEngine => ({
    manifest: manifest(name, { accepts: { kinds: ['url'] } }),
    start: async () => ({ ready: true, engineUpdate: '20260103' }),
    scanUrl: async () => ({ category: 'harmless', result: 'clean', method: 'blacklist' }),
    close: async () => {},
  });
  let refreshes = 0;
  const registry = new PluginRegistry().addSource('url-engine', { list: () => found, refresh: async () => void (refreshes += 1) });
  const host = new PluginHost(registry, { logger, now: () => clock, refreshIntervalMs: 1_000 });
  await host.start();
  assert.equal(refreshes, 1);
  found.push(feedEngine('NewFeed'));
  await host.current('url-engine');
  assert.equal(refreshes, 1, 'not re-read before the interval');
  clock += 1_000;
  const current = await host.current('url-engine');
  assert.equal(refreshes, 2);
  assert.deepEqual(current.map((e) => [e.manifest.name, host.readiness(e).ready]), [['NewFeed', true]]);
});

test('a wrapper put on a kind is what the host lists, starts and calls', async () => {
  const inner = engine('inner');
  let wrappedCalls = 0;
  const registry = new PluginRegistry().add('engine', inner.plugin);
  const host = new PluginHost(registry, {
    logger,
    wrap: { engine: (e) => ({ ...e, scan: (i, s) => ((wrappedCalls += 1), e.scan(i, s)) }) },
  });
  await host.start();
  const [listed] = host.list('engine');
  assert.notEqual(listed, inner.plugin);
  assert.equal(host.list('engine')[0], listed, 'one wrapper per plugin');
  await host.call('engine', listed!, (s) => listed!.scan(file, s), new AbortController().signal);
  assert.deepEqual([wrappedCalls, inner.scans()], [1, 1]);
});

test('two plugins of one kind cannot share a name (it keys last_analysis_results)', () => {
  const registry = new PluginRegistry().add('engine', engine('same').plugin);
  assert.throws(() => registry.add('engine', engine('same').plugin), /registered already/);
});
