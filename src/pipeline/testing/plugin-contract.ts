/**
 * The part of every kind's contract suite that is the same for all kinds: a usable manifest, start()
 * giving a Readiness, routing through a real PluginHost by the manifest (the fixture goes to the
 * plugin; a subject of a kind it does not accept does not), a call through the host answered with
 * what the kind's suite checks, and close() idempotent with no call after it. Not a test on its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ItemKind, Readiness } from '../../core/plugin.js';
import type { PluginHost, Subject } from '../plugin-host.js';
import type { HostedKind, PluginOfKind } from '../plugin-registry.js';
import { startedHost } from './started-host.js';

export interface PluginContractCase<K extends HostedKind, T> {
  kind: K;
  name: string;
  makePlugin: () => PluginOfKind[K] | Promise<PluginOfKind[K]>;
  /** The fixture, as the host routes it. */
  subject: Subject;
  /** The call the kind makes with the fixture (scan, analyze, lookup, capture). */
  call: (plugin: PluginOfKind[K], signal: AbortSignal) => Promise<T>;
  /** What the kind's suite requires of the answer. */
  check: (answer: T) => void;
  /** How long the fixture may take (a browser start, a cold worker pool). */
  timeoutMs?: number;
}

const ITEM_KINDS: readonly ItemKind[] = ['file', 'url', 'domain', 'ip'];

export function runPluginContract<K extends HostedKind, T>(c: PluginContractCase<K, T>): void {
  describe(`${c.name}: ${c.kind} contract`, () => {
    let plugin: PluginOfKind[K];
    let host: PluginHost;
    let readiness: Readiness;

    before(async () => {
      plugin = await c.makePlugin();
      host = await startedHost({ [c.kind]: [plugin] });
      readiness = host.readiness(plugin);
    });
    after(async () => {
      await host?.close();
    });

    it('declares a usable manifest', () => {
      const m = plugin.manifest;
      assert.equal(m.name, c.name);
      assert.match(m.version, /^\d+\.\d+\.\d+/);
      assert.ok(m.description.length > 0);
      assert.ok(m.accepts.kinds.length > 0 && m.accepts.kinds.every((k) => ITEM_KINDS.includes(k)));
      if (m.accepts.maxBytes !== undefined) assert.ok(Number.isInteger(m.accepts.maxBytes) && m.accepts.maxBytes > 0);
      assert.ok(m.timeoutMs > 0);
      assert.equal(typeof m.needsNetwork, 'boolean');
    });

    it('start() gives a Readiness; a not-ready plugin says why', () => {
      assert.equal(typeof readiness.ready, 'boolean');
      if (!readiness.ready) assert.ok(readiness.detail, 'a not-ready plugin says why');
      if (plugin.status) assert.equal(plugin.status().ready, readiness.ready, 'a live status() agrees with start()');
    });

    it('the host routes the fixture to it by its manifest, and nothing it does not accept', (t) => {
      if (!readiness.ready) return t.skip(`not ready: ${readiness.detail}`);
      assert.deepEqual(host.route([plugin], c.subject).run, [plugin]);
      for (const other of ITEM_KINDS.filter((k) => !plugin.manifest.accepts.kinds.includes(k))) {
        const route = host.route([plugin], { kind: other, size: 1 });
        assert.deepEqual([route.run, route.refused], [[], []], `a ${other} is not routed to it`);
      }
    });

    it('answers the fixture through the host', async (t) => {
      if (!readiness.ready) return t.skip(`not ready: ${readiness.detail}`);
      const outcome = await host.call(c.kind, plugin, (s) => c.call(plugin, s), AbortSignal.timeout(c.timeoutMs ?? 30_000));
      assert.equal(outcome.kind, 'ok', JSON.stringify(outcome));
      if (outcome.kind === 'ok') c.check(outcome.value);
    });

    it('rejects with the reason of an aborted signal', async (t) => {
      if (!readiness.ready) return t.skip(`not ready: ${readiness.detail}`);
      const controller = new AbortController();
      controller.abort(new Error('aborted by the contract test'));
      await assert.rejects(c.call(plugin, controller.signal), /aborted by the contract test/);
    });

    it('close() is idempotent, and the host calls it no more', async () => {
      await host.close();
      await plugin.close();
      assert.deepEqual(host.readiness(plugin), { ...host.readiness(plugin), ready: false, detail: 'closed' });
      assert.equal((await host.call(c.kind, plugin, (s) => c.call(plugin, s), AbortSignal.timeout(1_000))).kind, 'not-ready');
    });
  });
}
