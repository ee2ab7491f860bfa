// Test harness for user, group and key routes: the fake services, except authentication, accounts and quota look-ups, which are real on an in-memory SQLite store.
import { authenticate, createAccountService, createUser, principalOf, quotaOverridesOf, type AccountDeps } from '../../app/accounts/index.js';
import { createQuotaService } from '../../app/quotas/quota-service.js';
import { loadConfig } from '../../config/config.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { buildApp } from '../build-app.js';
import { createFakeServices } from './fake-services.js';
import { BASE, type TestApp } from './harness.js';

export interface AccountsTestApp extends TestApp {
  store: Store;
  deps: AccountDeps;
  /** The clock accounts read, in milliseconds; tests move it. */
  clock: { ms: number };
  /** Keys of the users made at start: `root` (admin), `alice` (public tier) and `bob` (public tier). */
  keys: { root: string; alice: string; bob: string };
}

export async function createAccountsTestApp(): Promise<AccountsTestApp> {
  const fake = await createFakeServices();
  const { store } = await openSqlite(':memory:');
  await store.migrate();
  const clock = { ms: 1_700_000_000_000 };
  const config = loadConfig({ dataDir: fake.blobs.root }, {});
  const deps: AccountDeps = { store, now: () => clock.ms, tiers: config.tiers };
  const quotas = createQuotaService({
    counters: store.quotaCounters,
    tiers: config.tiers,
    now: deps.now,
    overrides: quotaOverridesOf(store),
    subjectOf: async (userId) => {
      const user = await store.users.get(userId);
      return user && principalOf(user, config.tiers);
    },
  });
  const keys = {
    root: (await createUser(deps, { name: 'root', admin: true })).apiKey,
    alice: (await createUser(deps, { name: 'alice' })).apiKey,
    bob: (await createUser(deps, { name: 'bob' })).apiKey,
  };
  // Admission stays the fake's (it records the endpoint group and never refuses), so tests are not rate limited.
  const services = {
    ...fake,
    auth: { ...fake.auth, authenticate: (apiKey: string | undefined) => authenticate(deps, apiKey) },
    accounts: createAccountService(deps),
    quotas: { overall: quotas.overall, apiUsage: quotas.apiUsage },
  };
  const app = await buildApp({ services, config, logger: false, publicBaseUrl: () => `${BASE}/` });
  return {
    app,
    fake,
    config,
    store,
    deps,
    clock,
    keys,
    async close() {
      await app.close();
      await store.close();
      await fake.close();
    },
  };
}
