/**
 * Private scanning: whom a private submission belongs to (the submitter's group, or the submitter
 * without one) and who may see a file or analysis given its owners. Unseen is reported as not found.
 */
import type { Principal } from '../principal.js';

/** The owner that means everyone: every public submission records it. */
export const EVERYONE = '*';

/** A private submission belongs to the submitter's group, or to the submitter if they have none. */
export const privateOwnerOf = (principal: Principal): string => (principal.groupId ? `group:${principal.groupId}` : `user:${principal.userId}`);

/** The owners whose private items the principal sees: themselves and their current group. */
export const scopesOf = (principal: Principal): string[] => [`user:${principal.userId}`, ...(principal.groupId ? [`group:${principal.groupId}`] : [])];

/**
 * A file is visible when it has no owners (recorded before private scanning), was ever submitted
 * publicly, or one of its owners is the principal or their group. Admins are not exempt: private
 * means the group only.
 */
export function canSeeFile(owners: readonly string[], principal: Principal): boolean {
  if (owners.length === 0 || owners.includes(EVERYONE)) return true;
  const scopes = scopesOf(principal);
  return owners.some((o) => scopes.includes(o));
}

/** An analysis without an owner is public; a private one is seen by its owner's scope only. */
export const canSeeAnalysis = (owner: string | undefined, principal: Principal): boolean => owner === undefined || scopesOf(principal).includes(owner);
