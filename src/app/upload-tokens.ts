/** Single-use upload URLs: a random token handed out once, stored only as its hash. */
import { AppError } from '../core/errors.js';
import type { Store } from '../store/ports/store.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import type { AppServices } from './services.js';
import { principalOf, type TierPrivileges } from './accounts/index.js';

export function createUploadTokenService(deps: { store: Pick<Store, 'uploadTokens' | 'users'>; now: () => number; ttlMs: number; tiers?: TierPrivileges }): AppServices['uploads'] {
  return {
    async createToken(principal) {
      const token = generateApiKey();
      const expiresAt = deps.now() + deps.ttlMs;
      await deps.store.uploadTokens.create({ tokenHash: hashApiKey(token), userId: principal.userId, expiresAt });
      return { token, expiresAt };
    },
    async consumeToken(token) {
      const used = /^[0-9a-f]{64}$/.test(token) ? await deps.store.uploadTokens.consume(hashApiKey(token), deps.now()) : undefined;
      if (!used) throw new AppError('NotFoundError', 'Upload URL is unknown, expired or already used');
      const user = await deps.store.users.get(used.userId);
      if (!user) throw new AppError('NotFoundError', 'Upload URL is unknown, expired or already used');
      if (!user.active) throw new AppError('UserNotActiveError', `User "${user.name}" is not active`);
      return principalOf(user, deps.tiers);
    },
  };
}
