// User, group and key routes: every auth error code exactly, admin-only refusals, another user's data, and the free endpoint groups.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKey, revokeKey, setUserActive } from '../../app/accounts/index.js';
import { createAccountsTestApp, type AccountsTestApp } from '../testing/accounts-app.js';
import { assertError, assertOk } from '../testing/harness.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

describe('users and groups: authentication and authorization', () => {
  let t: AccountsTestApp;
  let bobKeyId: string;
  let disabledKey: string;
  let revokedKey: string;

  before(async () => {
    t = await createAccountsTestApp();
    bobKeyId = (await t.store.apiKeys.listForUser('bob'))[0]!.keyId;
    await t.app.inject({
      method: 'POST',
      url: '/api/v3/admin/groups',
      headers: { 'x-apikey': t.keys.root },
      payload: { data: { type: 'group', attributes: { name: 'soc' } } },
    });
    const dora = await t.app.inject({ method: 'POST', url: '/api/v3/admin/users', headers: { 'x-apikey': t.keys.root }, payload: { data: { attributes: { name: 'dora' } } } });
    disabledKey = (dora.json() as { meta: { apikey: string } }).meta.apikey;
    await setUserActive(t.deps, 'dora', false);
    const revoked = await createKey(t.deps, 'alice');
    await revokeKey(t.deps, revoked.key.keyId);
    revokedKey = revoked.apiKey;
  });
  after(async () => {
    await t.close();
  });

  const lookups = (): Array<{ method: Method; url: string; group: string }> => [
    { method: 'GET', url: '/api/v3/users/alice', group: 'users' },
    { method: 'GET', url: '/api/v3/users/alice/overall_quotas', group: 'users' },
    { method: 'GET', url: '/api/v3/users/alice/api_usage', group: 'users' },
    { method: 'GET', url: '/api/v3/groups/soc', group: 'groups' },
  ];
  const adminRoutes = (): Array<{ method: Method; url: string; payload?: object; group: string }> => [
    { method: 'GET', url: '/api/v3/admin/users', group: 'users' },
    { method: 'POST', url: '/api/v3/admin/users', payload: { data: { type: 'user', attributes: { name: 'mallory' } } }, group: 'users' },
    { method: 'PATCH', url: '/api/v3/admin/users/bob', payload: { data: { attributes: { tier: 'premium' } } }, group: 'users' },
    { method: 'POST', url: '/api/v3/admin/users/alice/privileges/download', group: 'users' },
    { method: 'DELETE', url: '/api/v3/admin/users/alice/privileges/download', group: 'users' },
    { method: 'GET', url: '/api/v3/admin/users/bob/keys', group: 'users' },
    { method: 'POST', url: '/api/v3/admin/users/bob/keys', group: 'users' },
    { method: 'POST', url: `/api/v3/admin/keys/${bobKeyId}/rotate`, group: 'users' },
    { method: 'DELETE', url: `/api/v3/admin/keys/${bobKeyId}`, group: 'users' },
    { method: 'GET', url: '/api/v3/admin/groups', group: 'groups' },
    { method: 'POST', url: '/api/v3/admin/groups', payload: { data: { type: 'group', attributes: { name: 'mallory' } } }, group: 'groups' },
    { method: 'PATCH', url: '/api/v3/admin/groups/soc', payload: { data: { attributes: { quotas: { requests_per_day: 1 } } } }, group: 'groups' },
    { method: 'POST', url: '/api/v3/admin/groups/soc/members', payload: { data: [{ type: 'user', id: 'alice' }] }, group: 'groups' },
    { method: 'DELETE', url: '/api/v3/admin/groups/soc/members/alice', group: 'groups' },
  ];
  const all = () => [...lookups(), ...adminRoutes()];

  it('no key: 401 AuthenticationRequiredError, "X-Apikey header is missing", on every route', async () => {
    for (const r of all()) {
      const res = await t.app.inject({ method: r.method, url: r.url, ...('payload' in r && r.payload ? { payload: r.payload } : {}) });
      assertError(res, 401, 'AuthenticationRequiredError', 'X-Apikey header is missing');
    }
  });

  it('an unknown key: 401 WrongCredentialsError on every route', async () => {
    for (const r of all()) assertError(await t.app.inject({ method: r.method, url: r.url, headers: { 'x-apikey': 'f'.repeat(64) } }), 401, 'WrongCredentialsError');
  });

  it('a revoked key: 401 WrongCredentialsError', async () => {
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/users/alice', headers: { 'x-apikey': revokedKey } }), 401, 'WrongCredentialsError', 'Wrong API key');
  });

  it('a disabled user: 401 UserNotActiveError, even for their own user object', async () => {
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/users/dora', headers: { 'x-apikey': disabledKey } }), 401, 'UserNotActiveError', 'User "dora" is not active');
  });

  it('a non-admin: 403 ForbiddenError on every admin route, and nothing changes', async () => {
    for (const r of adminRoutes()) {
      const res = await t.app.inject({ method: r.method, url: r.url, headers: { 'x-apikey': t.keys.alice }, ...(r.payload ? { payload: r.payload } : {}) });
      assertError(res, 403, 'ForbiddenError', 'This operation requires an admin API key');
    }
    assert.equal(await t.store.users.get('mallory'), undefined);
    assert.equal(await t.store.groups.get('mallory'), undefined);
    assert.equal((await t.store.apiKeys.get(bobKeyId))?.revokedAt, null);
  });

  it("another user's user object, quotas, usage and group: 403 ForbiddenError, known or not", async () => {
    for (const url of [
      '/api/v3/users/bob',
      `/api/v3/users/${t.keys.bob}`,
      '/api/v3/users/bob/overall_quotas',
      '/api/v3/users/bob/api_usage',
      '/api/v3/users/nobody',
      '/api/v3/groups/soc',
      '/api/v3/groups/nope',
    ]) {
      assertError(await t.app.inject({ method: 'GET', url, headers: { 'x-apikey': t.keys.alice } }), 403, 'ForbiddenError');
    }
  });

  it('look-ups and admin routes are admitted under the free groups "users" and "groups"', async () => {
    for (const r of [...lookups(), ...adminRoutes().filter((x) => x.method === 'GET')]) {
      t.fake.state.admitted.length = 0;
      assertOk(await t.app.inject({ method: r.method, url: r.url, headers: { 'x-apikey': t.keys.root } }));
      assert.deepEqual(t.fake.state.admitted, [{ userId: 'root', group: r.group }], `${r.method} ${r.url}`);
    }
  });
});
