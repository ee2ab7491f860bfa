/**
 * PluginHost: runs every plugin of every kind. It starts and closes them (a throw in start() becomes
 * not-ready), keeps their readiness, picks the plugins a subject goes to by their manifests, and calls
 * them under the manifest's deadline, mapping a throw to `failure` and the deadline to `timeout`, with
 * call counts and durations per plugin for /metrics. Pipelines run plugins only through it.
 */
import type { Logger } from 'pino';
import { PluginError, type ItemKind, type Plugin, type PluginManifest, type Readiness } from '../core/plugin.js';
import { HOSTED_KINDS, type HostedKind, type PluginOfKind, type PluginRegistry } from './plugin-registry.js';
import { runWithDeadline } from './run-with-deadline.js';

/** A plugin as `assay engines` and /metadata list it. */
export interface PluginStatus {
  kind: HostedKind;
  manifest: PluginManifest;
  readiness: Readiness;
}

/** Calls of one plugin that ended one way, since the host was built. */
export interface PluginCallStats {
  kind: HostedKind;
  plugin: string;
  outcome: 'ok' | 'failure' | 'timeout';
  count: number;
  seconds: number;
}

export type CallOutcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'timeout'; message: string }
  /** `flag` is PluginError's, or `uncaught_exception` for any other throw. */
  | { kind: 'failure'; flag: string; message: string }
  /** Not called: closed, or not ready. */
  | { kind: 'not-ready'; detail: string };

/** What a subject offers to the manifests' `accepts`. */
export interface Subject {
  kind: ItemKind;
  size?: number;
  /** VT type tag, when known (files, after the filetype analyzer). */
  typeTag?: string;
}

export interface Route<P> {
  /** Ready and accepting the subject: call these. */
  run: P[];
  /** Ready but refusing the subject's size or type (an engine answers `type-unsupported`). */
  refused: P[];
  /** Ready once and not now (a daemon that died), or `Readiness.down`: an engine answers `failure`, with why here and in the log. */
  down: Array<{ plugin: P; detail: string }>;
}

export interface PluginHostOptions {
  logger: Logger;
  /** Put in front of every plugin of a kind (the intel cache); the host then sees only the wrapper. */
  wrap?: { [K in HostedKind]?: (plugin: PluginOfKind[K]) => PluginOfKind[K] };
  /** How often kinds with sources (feeds) are re-read, at most; default 5 s. */
  refreshIntervalMs?: number;
  now?: () => number;
}

interface Entry {
  starting: Promise<Readiness>;
  started?: Readiness;
  /** Ready at some point: a later not-ready is a failure to report, not an absence. */
  everReady: boolean;
  closed: boolean;
}

const NOT_STARTED: Readiness = { ready: false, detail: 'not started' };

export class PluginHost {
  private readonly entries = new Map<Plugin, Entry>();
  private readonly wrappers = new WeakMap<Plugin, Plugin>();
  private readonly stats = new Map<string, PluginCallStats>();
  private readonly refreshedAt = new Map<HostedKind, number>();
  private readonly refreshing = new Map<HostedKind, Promise<void>>();
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly registry: PluginRegistry,
    private readonly options: PluginHostOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The plugins of a kind as of the last refresh (wrapped where the host wraps the kind). */
  list<K extends HostedKind>(kind: K): Array<PluginOfKind[K]> {
    return this.registry.list(kind).map((plugin) => this.wrapped(kind, plugin));
  }

  /** The plugins of a kind now: re-reads sources when due and starts plugins seen for the first time. */
  async current<K extends HostedKind>(kind: K): Promise<Array<PluginOfKind[K]>> {
    if (this.registry.hasSources(kind) && this.now() - (this.refreshedAt.get(kind) ?? Number.NEGATIVE_INFINITY) >= (this.options.refreshIntervalMs ?? 5_000)) {
      await this.refresh(kind);
    }
    const plugins = this.list(kind);
    if (!this.closed) await Promise.all(plugins.filter((p) => !this.entries.has(p)).map((p) => this.startOne(kind, p)));
    return plugins;
  }

  /** Starts every plugin of every kind; never throws. One readiness line each in the log. */
  async start(): Promise<Array<{ kind: HostedKind; name: string; readiness: Readiness }>> {
    await Promise.all(HOSTED_KINDS.filter((kind) => this.registry.hasSources(kind)).map((kind) => this.refresh(kind)));
    // All at once: a daemon loading its signatures should not hold up a model loading elsewhere.
    const all = HOSTED_KINDS.flatMap((kind) => this.list(kind).map((plugin) => ({ kind, plugin })));
    const readiness = await Promise.all(all.map(({ kind, plugin }) => this.startOne(kind, plugin)));
    return all.map(({ kind, plugin }, i) => ({ kind, name: plugin.manifest.name, readiness: this.readinessOf(plugin, readiness[i]!) }));
  }

  /** The plugin's readiness now: its live status() when it has one, else what start() gave; 'closed' after close. */
  readiness(plugin: Plugin): Readiness {
    const entry = this.entries.get(plugin);
    if (!entry?.started) return entry ? { ready: false, detail: 'starting' } : NOT_STARTED;
    return this.readinessOf(plugin, entry.started);
  }

  /** Every plugin of every kind, ready or not (for `assay engines` and /metadata). */
  statuses(): PluginStatus[] {
    return HOSTED_KINDS.flatMap((kind) => this.list(kind).map((p) => ({ kind, manifest: p.manifest, readiness: this.readiness(p) })));
  }

  /** The plugins of `plugins` (default: the kind's list) a subject goes to, by their manifests and readiness. */
  route<P extends Plugin>(plugins: readonly P[], subject: Subject): Route<P> {
    const route: Route<P> = { run: [], refused: [], down: [] };
    for (const plugin of plugins) {
      const { accepts } = plugin.manifest;
      if (!accepts.kinds.includes(subject.kind)) continue;
      const readiness = this.readiness(plugin);
      if (!readiness.ready) {
        // Down (ready once, or saying it is configured but failing): a failure to report. Never
        // ready: listed with its reason by /metadata, left out of results.
        if (readiness.down === true || this.entries.get(plugin)?.everReady) route.down.push({ plugin, detail: readiness.detail ?? 'not ready' });
        continue;
      }
      const tooBig = accepts.maxBytes !== undefined && subject.size !== undefined && subject.size > accepts.maxBytes;
      const wrongType = accepts.typeTags !== undefined && (subject.typeTag === undefined || !accepts.typeTags.includes(subject.typeTag));
      (tooBig || wrongType ? route.refused : route.run).push(plugin);
    }
    return route;
  }

  /** Plugins that would answer (ready now, down, or ready once): who an abandoned analysis lists as failed. */
  answering<P extends Plugin>(plugins: readonly P[]): P[] {
    return plugins.filter((p) => {
      const readiness = this.readiness(p);
      return readiness.ready || readiness.down === true || this.entries.get(p)?.everReady;
    });
  }

  /**
   * Calls `fn` on a plugin under its manifest's deadline and `signal`. Never throws: a closed or
   * not-ready plugin is not called, a throw is `failure`, the deadline `timeout`.
   */
  async call<T>(kind: HostedKind, plugin: Plugin, fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<CallOutcome<T>> {
    const readiness = this.readiness(plugin);
    if (!readiness.ready) return { kind: 'not-ready', detail: readiness.detail ?? 'not ready' };
    const startedAt = performance.now();
    const outcome = await runWithDeadline(fn, plugin.manifest.timeoutMs, signal);
    const seconds = (performance.now() - startedAt) / 1000;
    if (outcome.kind === 'ok') {
      this.record(kind, plugin, 'ok', seconds);
      return outcome;
    }
    if (outcome.kind === 'timeout') {
      this.record(kind, plugin, 'timeout', seconds);
      return { kind: 'timeout', message: `no answer within ${plugin.manifest.timeoutMs} ms` };
    }
    this.record(kind, plugin, 'failure', seconds);
    const error = outcome.error;
    if (error instanceof PluginError) return { kind: 'failure', flag: error.flag, message: error.message };
    return { kind: 'failure', flag: 'uncaught_exception', message: error instanceof Error ? error.message : String(error) };
  }

  /** Call counts and time per kind, plugin and outcome (for /metrics). */
  callStats(): PluginCallStats[] {
    return [...this.stats.values()].map((s) => ({ ...s }));
  }

  /** Closes every plugin once; afterwards none is called and all read not ready 'closed'. */
  async close(): Promise<void> {
    this.closed = true;
    const plugins = HOSTED_KINDS.flatMap((kind) => this.list(kind));
    for (const plugin of plugins) {
      const entry = this.entries.get(plugin);
      if (entry) entry.closed = true;
      else this.entries.set(plugin, { starting: Promise.resolve(NOT_STARTED), started: NOT_STARTED, everReady: false, closed: true });
    }
    const results = await Promise.allSettled(plugins.map((p) => p.close()));
    results.forEach((r, i) => {
      if (r.status === 'rejected') this.options.logger.warn({ plugin: plugins[i]!.manifest.name, err: String(r.reason) }, 'plugin did not close cleanly');
    });
  }

  private readinessOf(plugin: Plugin, started: Readiness): Readiness {
    const entry = this.entries.get(plugin);
    if (entry?.closed) return { ...started, ready: false, detail: 'closed' };
    let live = started;
    if (plugin.status) {
      try {
        live = plugin.status();
      } catch (error) {
        live = { ready: false, detail: `status failed: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    if (live.ready && entry) entry.everReady = true;
    return live;
  }

  private startOne(kind: HostedKind, plugin: Plugin): Promise<Readiness> {
    const existing = this.entries.get(plugin);
    if (existing) return existing.starting;
    const entry: Entry = { starting: Promise.resolve(NOT_STARTED), everReady: false, closed: false };
    entry.starting = (async () => {
      let readiness: Readiness;
      try {
        readiness = await plugin.start();
      } catch (error) {
        readiness = { ready: false, detail: `start failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      entry.started = readiness;
      if (readiness.ready) entry.everReady = true;
      const { ready, ...rest } = readiness;
      this.options.logger.info({ kind, plugin: plugin.manifest.name, ready, ...rest }, ready ? 'plugin ready' : 'plugin not ready');
      return readiness;
    })();
    this.entries.set(plugin, entry);
    return entry.starting;
  }

  private refresh(kind: HostedKind): Promise<void> {
    let running = this.refreshing.get(kind);
    if (!running) {
      running = this.registry.refresh(kind).finally(() => {
        this.refreshedAt.set(kind, this.now());
        this.refreshing.delete(kind);
      });
      this.refreshing.set(kind, running);
    }
    return running;
  }

  private wrapped<K extends HostedKind>(kind: K, plugin: PluginOfKind[K]): PluginOfKind[K] {
    const wrap = this.options.wrap?.[kind] as ((p: PluginOfKind[K]) => PluginOfKind[K]) | undefined;
    if (!wrap) return plugin;
    let wrapper = this.wrappers.get(plugin);
    if (!wrapper) {
      wrapper = wrap(plugin);
      this.wrappers.set(plugin, wrapper);
    }
    return wrapper as PluginOfKind[K];
  }

  private record(kind: HostedKind, plugin: Plugin, outcome: PluginCallStats['outcome'], seconds: number): void {
    const key = `${kind}\0${plugin.manifest.name}\0${outcome}`;
    const stats = this.stats.get(key) ?? { kind, plugin: plugin.manifest.name, outcome, count: 0, seconds: 0 };
    stats.count += 1;
    stats.seconds += seconds;
    this.stats.set(key, stats);
  }
}
