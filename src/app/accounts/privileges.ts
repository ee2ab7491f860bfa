/**
 * Privileges: the catalogue of names Assay knows, and what a user holds in effect (their own,
 * their tier's, and every privilege for admins), which becomes the Principal of their requests.
 */
import type { User } from '../../core/model/account.js';
import type { Principal } from '../principal.js';

/** Every privilege a user can be granted, with what it unlocks (docs/auth.md repeats this table). */
export const privilegeCatalogue = {
  admin: 'manage users, groups and API keys (the /api/v3/admin routes); implies every other privilege',
  download: 'download samples: GET /files/{id}/download',
  private_scanning: 'submit files with private=true; they and their analyses are visible only to the submitter\'s group',
  intelligence: 'reserved for Intelligence-style search; no endpoint needs it yet',
} as const;

export type PrivilegeName = keyof typeof privilegeCatalogue;

export const privilegeNames = Object.keys(privilegeCatalogue) as PrivilegeName[];

export const isPrivilegeName = (name: string): name is PrivilegeName => Object.hasOwn(privilegeCatalogue, name);

/** The part of the tier configuration privileges come from (`config.tiers`). */
export type TierPrivileges = Readonly<Record<string, { readonly privileges: readonly string[] } | undefined>>;

/** One privilege a user holds, and where it comes from. */
export interface PrivilegeGrant {
  name: string;
  /** `user`: granted to the user; `tier`: from their tier (`inheritedFrom` names it); `admin`: implied by admin rights. */
  source: 'user' | 'tier' | 'admin';
  inheritedFrom?: string;
}

/** The user's privileges in effect: their own first, then their tier's, then those admin rights imply. */
export function effectivePrivileges(user: User, tiers: TierPrivileges = {}): PrivilegeGrant[] {
  const grants = new Map<string, PrivilegeGrant>();
  const add = (grant: PrivilegeGrant) => {
    if (!grants.has(grant.name)) grants.set(grant.name, grant);
  };
  if (user.isAdmin) add({ name: 'admin', source: 'user' });
  for (const name of user.privileges) add({ name, source: 'user' });
  for (const name of tiers[user.tier]?.privileges ?? []) add({ name, source: 'tier', inheritedFrom: user.tier });
  if (user.isAdmin) for (const name of privilegeNames) add({ name, source: 'admin', inheritedFrom: 'admin' });
  return [...grants.values()];
}

/** The principal a user acts as: privileges in effect (see effectivePrivileges) and group. */
export function principalOf(user: User, tiers: TierPrivileges = {}): Principal {
  return {
    userId: user.id,
    name: user.name,
    isAdmin: user.isAdmin,
    tier: user.tier,
    privileges: effectivePrivileges(user, tiers).map((g) => g.name),
    groupId: user.groupId,
  };
}

export const hasPrivilege = (principal: Principal, name: PrivilegeName): boolean => principal.isAdmin || principal.privileges.includes(name);
