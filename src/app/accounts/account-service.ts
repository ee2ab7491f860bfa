/**
 * The accounts section of AppServices: user, key and group use cases with who-may-do-what. Anyone
 * sees their own user and group; everything else needs an admin (403 ForbiddenError otherwise).
 * The CLI calls the plain use cases instead, since whoever opens the store is its operator.
 */
import { AppError } from '../../core/errors.js';
import type { ApiKey, Group, User } from '../../core/model/account.js';
import type { Page } from '../../core/model/page.js';
import { hashApiKey } from '../api-keys.js';
import type { Principal } from '../principal.js';
import type { AccountDeps } from './deps.js';
import * as groups from './groups.js';
import * as keys from './keys.js';
import { effectivePrivileges, type PrivilegeGrant } from './privileges.js';
import * as users from './users.js';
import type { QuotaOverridesPatch } from './validation.js';

/** A user with the privileges in effect; `apiKey` only when they were looked up by their own key. */
export interface UserView {
  user: User;
  privileges: PrivilegeGrant[];
  apiKey?: string;
}

export interface GroupView {
  group: Group;
  memberCount: number;
  /** Member user ids. */
  members: string[];
}

export interface AccountService {
  /**
   * `idOrKey` is a user id or an API key. A non-admin may look up only themselves (ForbiddenError
   * for anyone else, known or not, so nothing is revealed); an admin gets NotFoundError for unknowns.
   */
  getUser(idOrKey: string, principal: Principal): Promise<UserView>;
  /** Admin only, like everything below except getGroup. */
  listUsers(principal: Principal, options: { limit: number; cursor?: string }): Promise<Page<UserView>>;
  /** The new user, and their first key (shown this once). */
  createUser(input: users.NewUserInput, principal: Principal): Promise<keys.IssuedKey & { view: UserView }>;
  updateUser(id: string, change: users.UserChange, principal: Principal): Promise<UserView>;
  grantPrivilege(id: string, privilege: string, principal: Principal): Promise<UserView>;
  revokePrivilege(id: string, privilege: string, principal: Principal): Promise<UserView>;
  listKeys(userId: string, principal: Principal): Promise<ApiKey[]>;
  createKey(userId: string, options: { label?: string }, principal: Principal): Promise<keys.IssuedKey>;
  revokeKey(keyId: string, principal: Principal): Promise<ApiKey>;
  rotateKey(keyId: string, options: { label?: string }, principal: Principal): Promise<keys.IssuedKey & { replaced: ApiKey }>;
  /** Members and admins only (ForbiddenError for anyone else, known group or not). */
  getGroup(id: string, principal: Principal): Promise<GroupView>;
  listGroups(principal: Principal): Promise<GroupView[]>;
  createGroup(input: { name: string; quotaOverrides?: QuotaOverridesPatch }, principal: Principal): Promise<GroupView>;
  addMember(groupId: string, userId: string, principal: Principal): Promise<GroupView>;
  removeMember(groupId: string, userId: string, principal: Principal): Promise<GroupView>;
  setGroupQuota(groupId: string, patch: QuotaOverridesPatch, principal: Principal): Promise<GroupView>;
}

/** Generated keys are 64 hex; user names cannot be told apart from them, so such ids are treated as secrets. */
const looksLikeKey = (id: string): boolean => id.length > 64 || /^[0-9a-fA-F]{64}$/.test(id);

function requireAdmin(principal: Principal): void {
  if (!principal.isAdmin) throw new AppError('ForbiddenError', 'This operation requires an admin API key');
}

export function createAccountService(deps: AccountDeps): AccountService {
  const { store } = deps;
  const view = (user: User): UserView => ({ user, privileges: effectivePrivileges(user, deps.tiers) });

  async function groupView(group: Group): Promise<GroupView> {
    const members = await groups.listMembers(deps, group.id);
    return { group, memberCount: members.length, members: members.map((m) => m.id) };
  }

  /** The user `idOrKey` names, and whether it was named by one of their active keys. */
  async function resolveUser(idOrKey: string): Promise<{ user: User; byKey: boolean } | undefined> {
    const byId = await store.users.get(idOrKey);
    if (byId) return { user: byId, byKey: false };
    const key = await store.apiKeys.findByHash(hashApiKey(idOrKey));
    if (!key || key.revokedAt !== null) return undefined;
    const owner = await store.users.get(key.userId);
    return owner && { user: owner, byKey: true };
  }

  return {
    async getUser(idOrKey, principal) {
      const found = await resolveUser(idOrKey);
      const own = found?.user.id === principal.userId;
      // Messages never repeat what may be someone's key: they end up in logs.
      if (!own && !principal.isAdmin) throw new AppError('ForbiddenError', 'You may only see your own user');
      if (!found) throw new AppError('NotFoundError', looksLikeKey(idOrKey) ? 'No user has that id or API key' : `User "${idOrKey}" not found`);
      // The key is echoed only to its owner, who sent it: never another user's, not even to an admin.
      return own && found.byKey ? { ...view(found.user), apiKey: idOrKey } : view(found.user);
    },

    async listUsers(principal, options) {
      requireAdmin(principal);
      const page = await users.listUsers(deps, options);
      return { items: page.items.map(view), ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
    },

    async createUser(input, principal) {
      requireAdmin(principal);
      // A chosen key is for ASSAY_BOOTSTRAP_API_KEY only; over HTTP the server always picks one.
      const { user, apiKey, key } = await users.createUser(deps, { ...input, apiKey: undefined });
      return { view: view(user), apiKey, key };
    },

    async updateUser(id, change, principal) {
      requireAdmin(principal);
      return view(await users.updateUser(deps, id, change));
    },

    async grantPrivilege(id, privilege, principal) {
      requireAdmin(principal);
      return view(await users.grantPrivilege(deps, id, privilege));
    },

    async revokePrivilege(id, privilege, principal) {
      requireAdmin(principal);
      return view(await users.revokePrivilege(deps, id, privilege));
    },

    async listKeys(userId, principal) {
      requireAdmin(principal);
      return keys.listKeys(deps, userId);
    },

    async createKey(userId, options, principal) {
      requireAdmin(principal);
      return keys.createKey(deps, userId, options);
    },

    async revokeKey(keyId, principal) {
      requireAdmin(principal);
      return keys.revokeKey(deps, keyId);
    },

    async rotateKey(keyId, options, principal) {
      requireAdmin(principal);
      return keys.rotateKey(deps, keyId, options);
    },

    async getGroup(id, principal) {
      // Membership is read from the store, not the principal, so a removal applies at once.
      const group = await store.groups.get(id);
      const member = group !== undefined && (await store.users.get(principal.userId))?.groupId === group.id;
      if (!member && !principal.isAdmin) throw new AppError('ForbiddenError', `You are not allowed to see group "${id}"`);
      if (!group) throw new AppError('NotFoundError', `Group "${id}" not found`);
      return groupView(group);
    },

    async listGroups(principal) {
      requireAdmin(principal);
      return Promise.all((await store.groups.list()).map(groupView));
    },

    async createGroup(input, principal) {
      requireAdmin(principal);
      return groupView(await groups.createGroup(deps, input));
    },

    async addMember(groupId, userId, principal) {
      requireAdmin(principal);
      await groups.addMember(deps, groupId, userId);
      return groupView(await groups.getGroup(deps, groupId));
    },

    async removeMember(groupId, userId, principal) {
      requireAdmin(principal);
      await groups.removeMember(deps, groupId, userId);
      return groupView(await groups.getGroup(deps, groupId));
    },

    async setGroupQuota(groupId, patch, principal) {
      requireAdmin(principal);
      return groupView(await groups.setGroupQuota(deps, groupId, patch));
    },
  };
}
