/**
 * PluginRegistry: which plugins exist, by kind. Built once in bootstrap; plugins are added one by one,
 * or as a source for kinds whose membership changes at run time (one blocklist engine per imported feed).
 */
import type { Analyzer, Engine, IntelSource, PageCapturer, Plugin, UrlEngine } from '../core/plugin.js';

/** The kinds the host runs today, with the interface of each. */
export interface PluginOfKind {
  engine: Engine;
  analyzer: Analyzer;
  'url-engine': UrlEngine;
  'intel-source': IntelSource;
  'page-capturer': PageCapturer;
}

export type HostedKind = keyof PluginOfKind;

/** In the order `start()` reports them and /metadata lists them. */
export const HOSTED_KINDS: readonly HostedKind[] = ['engine', 'analyzer', 'url-engine', 'intel-source', 'page-capturer'];

/** Plugins of one kind that come and go while the service runs. */
export interface PluginSource<P extends Plugin> {
  /** The plugins as of the last refresh. */
  list(): readonly P[];
  /** Picks up changes made elsewhere (a feed imported by another process); the host calls it now and then. */
  refresh?(): Promise<void>;
}

export class PluginRegistry {
  private readonly fixed = new Map<HostedKind, Plugin[]>();
  private readonly sources = new Map<HostedKind, Array<PluginSource<Plugin>>>();

  add<K extends HostedKind>(kind: K, plugin: PluginOfKind[K]): this {
    const names = new Set(this.list(kind).map((p) => p.manifest.name));
    // The name is the key in last_analysis_results and /metadata: two plugins of a kind cannot share it.
    if (names.has(plugin.manifest.name)) throw new Error(`a ${kind} named "${plugin.manifest.name}" is registered already`);
    this.fixed.set(kind, [...(this.fixed.get(kind) ?? []), plugin]);
    return this;
  }

  addSource<K extends HostedKind>(kind: K, source: PluginSource<PluginOfKind[K]>): this {
    this.sources.set(kind, [...(this.sources.get(kind) ?? []), source]);
    return this;
  }

  /** Plugins added one by one first, then each source's, as of its last refresh. */
  list<K extends HostedKind>(kind: K): Array<PluginOfKind[K]> {
    const fromSources = (this.sources.get(kind) ?? []).flatMap((s) => s.list());
    return [...(this.fixed.get(kind) ?? []), ...fromSources] as Array<PluginOfKind[K]>;
  }

  /** Whether some plugins of this kind come from a source (and so may change). */
  hasSources(kind: HostedKind): boolean {
    return (this.sources.get(kind) ?? []).some((s) => s.refresh !== undefined);
  }

  /** Refreshes every source of the kind; a failing source keeps its last list. */
  async refresh(kind: HostedKind): Promise<void> {
    await Promise.allSettled((this.sources.get(kind) ?? []).map((s) => s.refresh?.()));
  }
}
