/** A PluginHost over given plugins, started, for tests of the pipelines and of plugins. */
import { pino } from 'pino';
import { PluginHost, type PluginHostOptions } from '../plugin-host.js';
import { PluginRegistry, type HostedKind, type PluginOfKind } from '../plugin-registry.js';

export type PluginsByKind = { [K in HostedKind]?: ReadonlyArray<PluginOfKind[K]> };

export async function startedHost(plugins: PluginsByKind, options: Partial<PluginHostOptions> = {}): Promise<PluginHost> {
  const registry = new PluginRegistry();
  for (const [kind, list] of Object.entries(plugins) as Array<[HostedKind, PluginOfKind[HostedKind][]]>) {
    for (const plugin of list) registry.add(kind, plugin as never);
  }
  const host = new PluginHost(registry, { logger: pino({ level: 'silent' }), ...options });
  await host.start();
  return host;
}
