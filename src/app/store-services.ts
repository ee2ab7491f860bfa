/**
 * The use cases that need only the store, for operator commands that must not start engines, the
 * queue or the blob store (`assay user`, `key`, `group`, `feeds`, `hashes`). Built in bootstrap/, like AppServices.
 */
import type { Store } from '../store/ports/store.js';
import { createAccountService, type AccountService, type TierPrivileges } from './accounts/index.js';
import { createFeedService, type FeedService } from './feeds/feed-service.js';
import { createHashListService, type HashListService } from './hash-lists/hash-list-service.js';

export interface StoreServices {
  /** The same account use cases as AppServices.accounts. */
  accounts: AccountService;
  feeds: FeedService;
  hashLists: HashListService;
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
    hashLists: createHashListService({ store: deps.store, now: deps.now }),
    feeds: createFeedService({ store: deps.store, now: deps.now, ...(deps.feedSpoolDir === undefined ? {} : { spoolDir: deps.feedSpoolDir }) }),
  };
}
