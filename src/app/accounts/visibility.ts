/**
 * Private scanning: whom a private submission belongs to (the submitter's group, or the submitter
 * without one) and who may see a file or analysis given its owners. Unseen is reported as not found.
 */
import { EVERYONE } from '../../core/model/visibility.js';
import type { Principal } from '../principal.js';

export { EVERYONE };

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

/** True when anyone may see a file with these owners: none recorded (before private scanning), or a public submission. */
export const isPublicFile = (owners: readonly string[]): boolean => owners.length === 0 || owners.includes(EVERYONE);

/**
 * The principal's scopes that own the file (submitted it privately, now or before it became
 * public): only these can have private analyses, counts and votes to add to what everyone sees.
 */
export const privateScopesFor = (owners: readonly string[], principal: Principal): string[] => scopesOf(principal).filter((s) => owners.includes(s));

/**
 * The scope what the principal writes about a file (a comment, a vote) is kept under: everyone for
 * a public file; for a private one, the owner through which they see it (their group's first), so
 * it stays within that owner when the file later becomes public.
 */
export function writeScopeFor(owners: readonly string[], principal: Principal): string {
  if (isPublicFile(owners)) return EVERYONE;
  const own = privateOwnerOf(principal);
  return owners.includes(own) ? own : scopesOf(principal).find((s) => owners.includes(s))!;
}
