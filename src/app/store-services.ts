/**
 * The use cases that need only the store, for operator commands that must not start engines, the
 * queue or the blob store (`assay user`, `key`, `group`, `feeds`). Built in bootstrap/, like AppServices.
 */
import type { Store } from '../store/ports/store.js';
import { createAccountService, type AccountService, type TierPrivileges } from './accounts/index.js';
import { createFeedService, type FeedService } from './feeds/feed-service.js';

export interface StoreServices {
  /** The same account use cases as AppServices.accounts. */
  accounts: AccountService;
  feeds: FeedService;
}

export interface StoreServiceDeps {
  store: Store;
  now: () => number;
  /** `config.tiers`. */
  tiers?: TierPrivileges;
  /** Where downloaded feeds are spooled; default the system's temporary directory. */
  feedSpoolDir?: string;
}

export function createStoreServices(deps: StoreServiceDeps): StoreServices {
  return {
    accounts: createAccountService({ store: deps.store, now: deps.now, tiers: deps.tiers }),
    feeds: createFeedService({ store: deps.store, now: deps.now, ...(deps.feedSpoolDir === undefined ? {} : { spoolDir: deps.feedSpoolDir }) }),
  };
}
