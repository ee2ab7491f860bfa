/** What the account use cases need: the user, key and group repositories, the clock and the tier configuration. */
import type { Store } from '../../store/ports/store.js';
import type { TierPrivileges } from './privileges.js';

export interface AccountDeps {
  store: Pick<Store, 'users' | 'apiKeys' | 'groups'>;
  /** Milliseconds, like Date.now. */
  now: () => number;
  /** `config.tiers`: which tiers exist and the privileges each grants. Absent: any tier name, no tier privileges. */
  tiers?: TierPrivileges;
}
