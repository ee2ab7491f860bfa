/** Use cases for users: create (with a first key), the bootstrap admin key, authentication, status, tier, privileges. */
import { AppError } from '../../core/errors.js';
import { randomHex, toUnixSeconds } from '../../core/ids.js';
import type { ApiKey, User } from '../../core/model/account.js';
import type { Page } from '../../core/model/page.js';
import { generateApiKey, hashApiKey, sameHash } from '../api-keys.js';
import type { Principal } from '../principal.js';
import type { AccountDeps } from './deps.js';
import type { ShortLivedCache } from './short-lived-cache.js';
import { principalOf } from './privileges.js';
import { applyQuotaPatch, checkEmail, checkLabel, checkName, checkPrivilege, checkTier, type QuotaOverridesPatch } from './validation.js';

/** last_login and a key's last_used_at are written at most this often, so authentication rarely writes. */
export const LOGIN_RECORD_INTERVAL_S = 60;

export interface NewUserInput {
  name: string;
  admin?: boolean;
  tier?: string;
  /** Id of an existing group to join. */
  group?: string;
  privileges?: readonly string[];
  email?: string;
  /** Label of the first key. */
  label?: string;
  /** Use this key instead of a random one (ASSAY_BOOTSTRAP_API_KEY). */
  apiKey?: string;
}

/** Creates a user and their first API key; the key is returned here once and stored only hashed. */
export async function createUser(deps: AccountDeps, input: NewUserInput): Promise<{ user: User; apiKey: string; key: ApiKey }> {
  const name = checkName('User', input.name);
  const tier = checkTier(input.tier ?? 'public', deps.tiers);
  const granted = (input.privileges ?? []).map(checkPrivilege);
  const label = checkLabel(input.label);
  const email = checkEmail(input.email ?? null);
  if (input.group !== undefined && !(await deps.store.groups.get(input.group))) {
    throw new AppError('NotFoundError', `Group "${input.group}" not found`);
  }
  if (await deps.store.users.findByName(name)) throw new AppError('AlreadyExistsError', `User "${name}" already exists`);
  const user = await deps.store.users.create({
    id: name,
    name,
    // `admin` is kept as the admin flag, not in the privilege list, so there is one source of truth.
    isAdmin: (input.admin ?? false) || granted.includes('admin'),
    tier,
    active: true,
    createdAt: toUnixSeconds(deps.now()),
    privileges: granted.filter((p) => p !== 'admin'),
    groupId: input.group ?? null,
    email,
  });
  const apiKey = input.apiKey ?? generateApiKey();
  const key = await deps.store.apiKeys.create({ keyHash: hashApiKey(apiKey), userId: user.id, label, createdAt: user.createdAt, revokedAt: null });
  return { user, apiKey, key };
}

/** Makes sure ASSAY_BOOTSTRAP_API_KEY belongs to an admin; creates `admin` (or a free name) if not. */
export async function ensureBootstrapKey(deps: AccountDeps, apiKey: string): Promise<'created' | 'present'> {
  if (await deps.store.apiKeys.findByHash(hashApiKey(apiKey))) return 'present';
  const name = (await deps.store.users.findByName('admin')) ? `admin-${randomHex(3)}` : 'admin';
  await createUser(deps, { name, admin: true, apiKey, label: 'bootstrap' });
  return 'created';
}

/**
 * Resolves an x-apikey value to its user's principal: AuthenticationRequiredError without a key,
 * WrongCredentialsError for an unknown or revoked one, UserNotActiveError for a disabled user.
 * Records last_login and the key's last use, at most once a minute each.
 */
/** A key and its user as authentication last read them (short-lived-cache.ts), and the principal they make. */
export interface Credential {
  key: ApiKey;
  user: User;
  principal?: Principal;
}

export function authenticate(deps: AccountDeps, apiKey: string | undefined, cache?: ShortLivedCache<Credential>): Principal | Promise<Principal> {
  if (apiKey === undefined || apiKey === '') throw new AppError('AuthenticationRequiredError', 'X-Apikey header is missing');
  const hash = hashApiKey(apiKey);
  const cached = cache?.get(hash);
  if (cached) return admitCredential(deps, cached, hash);
  return readCredential(deps, hash).then((credential) => {
    const principal = admitCredential(deps, credential, hash);
    cache?.set(hash, credential!);
    return principal;
  });
}

/** Checks a key and its user; synchronous unless its use is due to be recorded (once a minute). */
function admitCredential(deps: AccountDeps, credential: Credential | undefined, hash: string): Principal | Promise<Principal> {
  // The lookup is by hash, so it reveals nothing about how close a guess was; the constant-time
  // comparison keeps it that way should the lookup ever become a prefix or range match.
  if (!credential || !sameHash(credential.key.keyHash, hash) || credential.key.revokedAt !== null) {
    throw new AppError('WrongCredentialsError', 'Wrong API key');
  }
  const { user } = credential;
  if (!user.active) throw new AppError('UserNotActiveError', `User "${user.name}" is not active`);
  credential.principal ??= principalOf(user, deps.tiers);
  const principal = credential.principal;
  const recording = recordUse(deps, credential);
  return recording ? recording.then(() => principal) : principal;
}

async function readCredential(deps: AccountDeps, hash: string): Promise<Credential | undefined> {
  const key = await deps.store.apiKeys.findByHash(hash);
  const user = key && (await deps.store.users.get(key.userId));
  return key && user ? { key, user } : undefined;
}

/**
 * Records last_login and the key's last use when due (at most once a minute each); undefined when
 * nothing is due. Updates the credential in place too, so a cached one does not ask again.
 */
function recordUse(deps: AccountDeps, credential: Credential): Promise<void> | undefined {
  const { user, key } = credential;
  const at = toUnixSeconds(deps.now());
  const stale = (last: number | null) => last === null || at - last >= LOGIN_RECORD_INTERVAL_S;
  const loginDue = stale(user.lastLogin);
  const useDue = stale(key.lastUsedAt);
  if (!loginDue && !useDue) return undefined;
  if (loginDue) user.lastLogin = at;
  if (useDue) key.lastUsedAt = at;
  return (async () => {
    try {
      if (loginDue) await deps.store.users.recordLogin(user.id, at, LOGIN_RECORD_INTERVAL_S);
      if (useDue) await deps.store.apiKeys.recordUse(key.keyId, at, LOGIN_RECORD_INTERVAL_S);
    } catch {
      // Bookkeeping only: a failed write must not refuse a valid key (the request's own work reports a broken store).
    }
  })();
}

/** A user by id, or by name (they are the same for users made here; bootstrap names may differ). */
export async function findUser(deps: AccountDeps, idOrName: string): Promise<User> {
  const user = (await deps.store.users.get(idOrName)) ?? (await deps.store.users.findByName(idOrName));
  if (!user) throw new AppError('NotFoundError', `User "${idOrName}" not found`);
  return user;
}

export function listUsers(deps: AccountDeps, options: { limit: number; cursor?: string }): Promise<Page<User>> {
  return deps.store.users.list(options);
}

/** What an admin may change on a user in one step; see also grant/revoke and group membership. */
export interface UserChange {
  active?: boolean;
  tier?: string;
  /** null removes the address. */
  email?: string | null;
  quotaOverrides?: QuotaOverridesPatch;
}

export async function updateUser(deps: AccountDeps, idOrName: string, change: UserChange): Promise<User> {
  const user = await findUser(deps, idOrName);
  const updated = await deps.store.users.update(user.id, {
    ...(change.active === undefined ? {} : { active: change.active }),
    ...(change.tier === undefined ? {} : { tier: checkTier(change.tier, deps.tiers) }),
    ...(change.email === undefined ? {} : { email: checkEmail(change.email) }),
    ...(change.quotaOverrides === undefined ? {} : { quotaOverrides: applyQuotaPatch(user.quotaOverrides, change.quotaOverrides) }),
  });
  if (!updated) throw new AppError('NotFoundError', `User "${idOrName}" not found`);
  return updated;
}

export const setUserActive = (deps: AccountDeps, idOrName: string, active: boolean): Promise<User> => updateUser(deps, idOrName, { active });

export const setUserTier = (deps: AccountDeps, idOrName: string, tier: string): Promise<User> => updateUser(deps, idOrName, { tier });

/** Grants a privilege; `admin` sets the admin flag. Granting one already held changes nothing. */
export async function grantPrivilege(deps: AccountDeps, idOrName: string, privilege: string): Promise<User> {
  const name = checkPrivilege(privilege);
  const user = await findUser(deps, idOrName);
  const updated = name === 'admin' ? await deps.store.users.update(user.id, { isAdmin: true }) : await deps.store.users.changePrivileges(user.id, { grant: [name] });
  if (!updated) throw new AppError('NotFoundError', `User "${idOrName}" not found`);
  return updated;
}

/**
 * Revokes a privilege granted to the user; `admin` clears the admin flag. A privilege that comes
 * only from the tier stays in effect (change the tier instead); revoking one not held changes nothing.
 */
export async function revokePrivilege(deps: AccountDeps, idOrName: string, privilege: string): Promise<User> {
  const name = checkPrivilege(privilege);
  const user = await findUser(deps, idOrName);
  const updated = name === 'admin' ? await deps.store.users.update(user.id, { isAdmin: false }) : await deps.store.users.changePrivileges(user.id, { revoke: [name] });
  if (!updated) throw new AppError('NotFoundError', `User "${idOrName}" not found`);
  return updated;
}
