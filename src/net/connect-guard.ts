/** The one gate before any outbound connection: resolve the host, refuse it if any address is off limits. */
import { PluginError, type ConnectGuard } from '../core/plugin.js';
import type { AddressPolicy } from './address-policy.js';
import type { HostResolver, ResolvedAddress } from './host-resolver.js';

/**
 * Every address is vetted, not just the one returned: a name answering both a public and a private address is
 * refused, so an attacker cannot rely on which one a later lookup or a retry would pick.
 */
export function createConnectGuard(resolver: HostResolver, policy: AddressPolicy): ConnectGuard {
  return async (host, signal) => {
    let addresses: ResolvedAddress[];
    try {
      addresses = await resolver(host, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const detail = error instanceof Error ? error.message : String(error);
      throw new PluginError('dns-failed', `cannot resolve ${host}: ${detail}`, true);
    }
    const first = addresses[0];
    if (first === undefined) throw new PluginError('dns-failed', `cannot resolve ${host}: no address`, true);
    const refusals = addresses.flatMap(({ address }) => {
      const decision = policy.check(address);
      return decision.allowed ? [] : [`${address} (${decision.reason})`];
    });
    if (refusals.length > 0) throw new PluginError('address-refused', `refused: ${host} resolves to ${refusals.join(', ')}`);
    return first;
  };
}
