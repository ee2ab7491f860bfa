/** Accounts: users, API keys, groups, privileges and the quota overrides they carry. */
export { createAccountService, type AccountService, type GroupView, type UserView } from './account-service.js';
export type { AccountDeps } from './deps.js';
export { addMember, countMembers, createGroup, getGroup, listMembers, removeMember, setGroupQuota } from './groups.js';
export { createKey, getKey, listKeys, revokeKey, rotateKey, type IssuedKey } from './keys.js';
export {
  effectivePrivileges,
  hasPrivilege,
  isPrivilegeName,
  principalOf,
  privilegeCatalogue,
  privilegeNames,
  type PrivilegeGrant,
  type PrivilegeName,
  type TierPrivileges,
} from './privileges.js';
export { quotaOverridesOf, type PrincipalQuotaOverrides, type QuotaOverrides } from './quota-overrides.js';
export {
  authenticate,
  createUser,
  ensureBootstrapKey,
  findUser,
  grantPrivilege,
  listUsers,
  LOGIN_RECORD_INTERVAL_S,
  revokePrivilege,
  setUserActive,
  setUserTier,
  updateUser,
  type NewUserInput,
  type UserChange,
} from './users.js';
export { applyQuotaPatch, quotaWindows, type QuotaOverridesPatch } from './validation.js';
