/** Use cases for groups: a named set of users (each in at most one) with quota overrides its members draw from. */
import { AppError } from '../../core/errors.js';
import { toUnixSeconds } from '../../core/ids.js';
import type { Group, User } from '../../core/model/account.js';
import type { AccountDeps } from './deps.js';
import { findUser } from './users.js';
import { applyQuotaPatch, checkName, type QuotaOverridesPatch } from './validation.js';

export async function createGroup(deps: AccountDeps, input: { name: string; quotaOverrides?: QuotaOverridesPatch }): Promise<Group> {
  const name = checkName('Group', input.name);
  const quotaOverrides = applyQuotaPatch({}, input.quotaOverrides ?? {});
  return deps.store.groups.create({ id: name, name, quotaOverrides, createdAt: toUnixSeconds(deps.now()) });
}

export async function getGroup(deps: AccountDeps, id: string): Promise<Group> {
  const group = await deps.store.groups.get(id);
  if (!group) throw new AppError('NotFoundError', `Group "${id}" not found`);
  return group;
}

export function listMembers(deps: AccountDeps, groupId: string): Promise<User[]> {
  return deps.store.users.listByGroup(groupId);
}

export function countMembers(deps: AccountDeps, groupId: string): Promise<number> {
  return deps.store.users.countByGroup(groupId);
}

/**
 * Adds a user to a group. A user is in at most one group: a member of another group is refused
 * with AlreadyExistsError (remove them there first); adding a member again changes nothing.
 */
export async function addMember(deps: AccountDeps, groupId: string, user: string): Promise<User> {
  const group = await getGroup(deps, groupId);
  const member = await findUser(deps, user);
  if (member.groupId === group.id) return member;
  if (member.groupId !== null) {
    throw new AppError('AlreadyExistsError', `User "${member.name}" is already a member of group "${member.groupId}"; remove them there first`);
  }
  const updated = await deps.store.users.update(member.id, { groupId: group.id });
  if (!updated) throw new AppError('NotFoundError', `User "${user}" not found`);
  return updated;
}

export async function removeMember(deps: AccountDeps, groupId: string, user: string): Promise<User> {
  const group = await getGroup(deps, groupId);
  const member = await findUser(deps, user);
  if (member.groupId !== group.id) throw new AppError('NotFoundError', `User "${member.name}" is not a member of group "${group.id}"`);
  const updated = await deps.store.users.update(member.id, { groupId: null });
  if (!updated) throw new AppError('NotFoundError', `User "${user}" not found`);
  return updated;
}

export async function setGroupQuota(deps: AccountDeps, groupId: string, patch: QuotaOverridesPatch): Promise<Group> {
  const group = await getGroup(deps, groupId);
  const updated = await deps.store.groups.setQuotaOverrides(group.id, applyQuotaPatch(group.quotaOverrides, patch));
  if (!updated) throw new AppError('NotFoundError', `Group "${groupId}" not found`);
  return updated;
}
