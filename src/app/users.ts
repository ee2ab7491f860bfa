/** Use cases for accounts: creating users with a key, the bootstrap admin key, authentication. */
import { AppError } from '../core/errors.js';
import { randomHex, toUnixSeconds } from '../core/ids.js';
import type { Store, UserRecord } from '../store/ports.js';
import { generateApiKey, hashApiKey, sameHash } from './api-keys.js';
import type { Principal } from './principal.js';

export interface UserDeps {
  store: Store;
  now: () => number;
}

export async function createUser(
  deps: UserDeps,
  input: { name: string; admin?: boolean; tier?: string; apiKey?: string },
): Promise<{ user: UserRecord; apiKey: string }> {
  const name = input.name.trim();
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) {
    throw new AppError('InvalidArgumentError', 'User names are 1 to 64 letters, digits, ".", "_", "@" or "-"');
  }
  if (await deps.store.users.findByName(name)) throw new AppError('AlreadyExistsError', `User "${name}" already exists`);
  const user = await deps.store.users.create({
    id: name,
    name,
    isAdmin: input.admin ?? false,
    tier: input.tier ?? 'public',
    active: true,
    createdAt: toUnixSeconds(deps.now()),
  });
  const apiKey = input.apiKey ?? generateApiKey();
  await deps.store.apiKeys.create({ keyHash: hashApiKey(apiKey), userId: user.id, createdAt: user.createdAt, revokedAt: null });
  return { user, apiKey };
}

/** Makes sure ASSAY_BOOTSTRAP_API_KEY belongs to an admin; creates `admin` (or a free name) if not. */
export async function ensureBootstrapKey(deps: UserDeps, apiKey: string): Promise<'created' | 'present'> {
  if (await deps.store.apiKeys.findByHash(hashApiKey(apiKey))) return 'present';
  const name = (await deps.store.users.findByName('admin')) ? `admin-${randomHex(3)}` : 'admin';
  await createUser(deps, { name, admin: true, apiKey });
  return 'created';
}

export async function authenticate(deps: UserDeps, apiKey: string | undefined): Promise<Principal> {
  if (apiKey === undefined || apiKey === '') throw new AppError('AuthenticationRequiredError', 'X-Apikey header is missing');
  const hash = hashApiKey(apiKey);
  const key = await deps.store.apiKeys.findByHash(hash);
  if (!key || !sameHash(key.keyHash, hash) || key.revokedAt !== null) {
    throw new AppError('WrongCredentialsError', 'Wrong API key');
  }
  const user = await deps.store.users.get(key.userId);
  if (!user) throw new AppError('WrongCredentialsError', 'Wrong API key');
  if (!user.active) throw new AppError('UserNotActiveError', `User "${user.name}" is not active`);
  return principalOf(user);
}

/** The principal a user acts as; the accounts work adds privileges and groups to the user record. */
export function principalOf(user: UserRecord): Principal {
  return { userId: user.id, name: user.name, isAdmin: user.isAdmin, tier: user.tier, privileges: [], groupId: null };
}
