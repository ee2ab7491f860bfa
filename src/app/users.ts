/** Kept for existing imports: the account use cases live in app/accounts/. */
export { authenticate, createUser, ensureBootstrapKey, principalOf } from './accounts/index.js';
export type { AccountDeps as UserDeps } from './accounts/index.js';
