/**
 * The short-lived caches in front of authentication and quota overrides, and when they are
 * dropped: at once after an account change made through this process, and on the next request
 * after another process (the CLI revoking a key) changed accounts in the store.
 */
import type { Store } from '../../store/ports/store.js';
import type { FoundOverrides, QuotaOverridesLookup } from '../quotas/quota-service.js';
import type { AccountService } from './account-service.js';
import { ShortLivedCache } from './short-lived-cache.js';
import type { Credential } from './users.js';

export interface AccountCaches {
  /** Keys recently authenticated, with their users. */
  credentials: ShortLivedCache<Credential>;
  /** The overrides lookup behind the cache; a cached answer comes back synchronously. */
  overrides: QuotaOverridesLookup;
  /** Drops everything cached when another process changed accounts since the last call. */
  forgetIfChangedElsewhere(): void;
  /** The service with every change clearing the caches, so a revoked key fails on its next request. */
  clearingOnChange(service: AccountService): AccountService;
}

export function createAccountCaches(deps: {
  store: Pick<Store, 'changeMarker'>;
  now: () => number;
  /** How long an entry is reused; 0 reads the store every time. */
  cacheMs: number;
  overrides: QuotaOverridesLookup;
}): AccountCaches {
  const credentials = new ShortLivedCache<Credential>(deps.cacheMs, deps.now);
  const overrideCache = new ShortLivedCache<FoundOverrides>(deps.cacheMs, deps.now);
  const forget = () => {
    credentials.clear();
    overrideCache.clear();
  };
  let seenMarker = deps.store.changeMarker('accounts');
  return {
    credentials,
    overrides: (principal) => {
      const key = `${principal.userId}\0${principal.groupId ?? ''}`;
      return overrideCache.get(key) ?? Promise.resolve(deps.overrides(principal)).then((found) => (overrideCache.set(key, found), found));
    },
    forgetIfChangedElsewhere() {
      const marker = deps.store.changeMarker('accounts');
      if (marker !== seenMarker) forget();
      seenMarker = marker;
    },
    clearingOnChange: (service) => clearingOnChange(service, forget),
  };
}

function clearingOnChange(service: AccountService, clear: () => void): AccountService {
  const wrapped = { ...service };
  for (const name of Object.keys(service) as Array<keyof AccountService>) {
    if (name.startsWith('get') || name.startsWith('list')) continue;
    const method = service[name] as (...args: unknown[]) => Promise<unknown>;
    (wrapped as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      try {
        return await method(...args);
      } finally {
        clear();
      }
    };
  }
  return wrapped;
}
