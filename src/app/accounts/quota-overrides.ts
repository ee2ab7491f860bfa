/** The quota overrides that apply to a caller: their own, and their group's. Read by the quota service on every counted request. */
import type { QuotaOverrides } from '../../core/model/account.js';
import type { Store } from '../../store/ports/store.js';
import type { Principal } from '../principal.js';

export type { QuotaOverrides } from '../../core/model/account.js';

export interface PrincipalQuotaOverrides {
  /** Present when the user overrides at least one window. */
  user?: QuotaOverrides;
  /** Present when the user is in a group (limits may be empty: the group then sets no limit of its own). */
  group?: { id: string; limits: QuotaOverrides };
}

const isEmpty = (overrides: QuotaOverrides): boolean => Object.values(overrides).every((v) => v === undefined);

/** Reads the store afresh each time, so a changed override or membership applies to the next request. */
export function quotaOverridesOf(store: Pick<Store, 'users' | 'groups'>): (principal: Principal) => Promise<PrincipalQuotaOverrides> {
  return async (principal) => {
    const user = await store.users.get(principal.userId);
    const groupId = user ? user.groupId : principal.groupId;
    const group = groupId ? await store.groups.get(groupId) : undefined;
    return {
      ...(user && !isEmpty(user.quotaOverrides) ? { user: { ...user.quotaOverrides } } : {}),
      ...(group ? { group: { id: group.id, limits: { ...group.quotaOverrides } } } : {}),
    };
  };
}
