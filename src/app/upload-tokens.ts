/**
 * Single-use upload URLs: a random token handed out once, stored only as its hash. It is used up
 * only by an upload that was received and accepted; a failed attempt (no file part, a dropped
 * connection, a refused submission) leaves it usable until it expires.
 */
import { AppError } from '../core/errors.js';
import type { Store } from '../store/ports/store.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import type { AppServices } from './services.js';
import { principalOf, type TierPrivileges } from './accounts/index.js';

const TOKEN = /^[0-9a-f]{64}$/;

export function createUploadTokenService(deps: { store: Pick<Store, 'uploadTokens' | 'users'>; now: () => number; ttlMs: number; tiers?: TierPrivileges }): AppServices['uploads'] {
  const ownerOf = async (used: { userId: string } | undefined) => {
    if (!used) throw unknown();
    const user = await deps.store.users.get(used.userId);
    if (!user) throw unknown();
    if (!user.active) throw new AppError('UserNotActiveError', `User "${user.name}" is not active`);
    return principalOf(user, deps.tiers);
  };
  return {
    async createToken(principal) {
      const token = generateApiKey();
      const expiresAt = deps.now() + deps.ttlMs;
      await deps.store.uploadTokens.create({ tokenHash: hashApiKey(token), userId: principal.userId, expiresAt });
      return { token, expiresAt };
    },
    async checkToken(token) {
      return ownerOf(TOKEN.test(token) ? await deps.store.uploadTokens.find(hashApiKey(token), deps.now()) : undefined);
    },
    async consumeToken(token) {
      return ownerOf(TOKEN.test(token) ? await deps.store.uploadTokens.consume(hashApiKey(token), deps.now()) : undefined);
    },
    async releaseToken(token) {
      if (TOKEN.test(token)) await deps.store.uploadTokens.release(hashApiKey(token));
    },
  };
}

function unknown(): AppError {
  return new AppError('NotFoundError', 'Upload URL is unknown, expired or already used');
}
