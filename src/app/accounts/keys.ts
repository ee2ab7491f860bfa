/** Use cases for API keys: several per user, each shown once at creation, revocable and rotatable by its public id. */
import { AppError } from '../../core/errors.js';
import { toUnixSeconds } from '../../core/ids.js';
import type { ApiKey } from '../../core/model/account.js';
import { generateApiKey, hashApiKey } from '../api-keys.js';
import type { AccountDeps } from './deps.js';
import { findUser } from './users.js';
import { checkLabel } from './validation.js';

/** A new key: its record, and the key itself, which is never stored and cannot be shown again. */
export interface IssuedKey {
  key: ApiKey;
  apiKey: string;
}

export async function createKey(deps: AccountDeps, user: string, options: { label?: string } = {}): Promise<IssuedKey> {
  const owner = await findUser(deps, user);
  const label = checkLabel(options.label);
  const apiKey = generateApiKey();
  const key = await deps.store.apiKeys.create({ keyHash: hashApiKey(apiKey), userId: owner.id, label, createdAt: toUnixSeconds(deps.now()), revokedAt: null });
  return { key, apiKey };
}

export async function listKeys(deps: AccountDeps, user: string): Promise<ApiKey[]> {
  const owner = await findUser(deps, user);
  return deps.store.apiKeys.listForUser(owner.id);
}

export async function getKey(deps: AccountDeps, keyId: string): Promise<ApiKey> {
  const key = await deps.store.apiKeys.get(keyId);
  if (!key) throw new AppError('NotFoundError', `API key "${keyId}" not found`);
  return key;
}

/** Revokes at once: the next request with the key gets WrongCredentialsError. Revoking twice keeps the first date. */
export async function revokeKey(deps: AccountDeps, keyId: string): Promise<ApiKey> {
  const key = await deps.store.apiKeys.revoke(keyId, toUnixSeconds(deps.now()));
  if (!key) throw new AppError('NotFoundError', `API key "${keyId}" not found`);
  return key;
}

/** A new key for the same user (same label unless given) and the old one revoked, in one transaction. */
export async function rotateKey(deps: AccountDeps, keyId: string, options: { label?: string } = {}): Promise<IssuedKey & { replaced: ApiKey }> {
  const label = options.label === undefined ? undefined : checkLabel(options.label);
  const apiKey = generateApiKey();
  const key = await deps.store.apiKeys.rotate(keyId, {
    keyHash: hashApiKey(apiKey),
    createdAt: toUnixSeconds(deps.now()),
    ...(label === undefined ? {} : { label }),
  });
  if (!key) {
    const old = await getKey(deps, keyId);
    throw new AppError('InvalidArgumentError', `API key "${old.keyId}" is revoked; create a new key instead`);
  }
  return { key, apiKey, replaced: await getKey(deps, keyId) };
}
