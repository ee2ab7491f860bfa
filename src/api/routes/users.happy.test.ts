// User and key routes, the expected paths: VT's user object, quotas and usage, and the admin routes end to end over the real account service.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountsTestApp, type AccountsTestApp } from '../testing/accounts-app.js';
import { assertError, assertOk, BASE } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('users: happy paths', () => {
  let t: AccountsTestApp;
  const as = (key: string) => ({ 'x-apikey': key });
  const get = async (url: string, key: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: as(key) });
    assertOk(res);
    return res.json() as Json;
  };
  const send = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, key: string, body?: unknown) => {
    const res = await t.app.inject({ method, url, headers: as(key), ...(body === undefined ? {} : { payload: body as object }) });
    assertOk(res);
    return res.json() as Json;
  };

  before(async () => {
    t = await createAccountsTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('GET /users/{own id}: the user object, with integer dates and no key', async () => {
    const body = await get('/api/v3/users/alice', t.keys.alice);
    assert.deepEqual(Object.keys(body), ['data']);
    assert.deepEqual(body.data, {
      type: 'user',
      id: 'alice',
      links: { self: `${BASE}/api/v3/users/alice` },
      attributes: {
        user_since: 1_700_000_000,
        last_login: 1_700_000_000,
        status: 'active',
        privileges: {},
        reputation: 0,
        tier: 'public',
      },
    });
  });

  it('GET /users/{own key}: the same user, with the key echoed as apikey', async () => {
    const body = await get(`/api/v3/users/${t.keys.alice}`, t.keys.alice);
    assert.equal(body.data.id, 'alice');
    assert.equal(body.data.attributes.apikey, t.keys.alice);
  });

  it("an admin sees anyone, by id or key, but never the other user's key", async () => {
    for (const id of ['bob', t.keys.bob]) {
      const body = await get(`/api/v3/users/${id}`, t.keys.root);
      assert.equal(body.data.id, 'bob');
      assert.equal('apikey' in body.data.attributes, false);
      assert.equal('last_login' in body.data.attributes, false, 'bob never logged in: absent, not null');
    }
    const root = await get('/api/v3/users/root', t.keys.root);
    assert.deepEqual(root.data.attributes.privileges, {
      admin: { granted: true },
      download: { granted: true, inherited_from: 'admin' },
      private_scanning: { granted: true, inherited_from: 'admin' },
      intelligence: { granted: true, inherited_from: 'admin' },
    });
  });

  it('overall_quotas and api_usage: for yourself, through the quota service', async () => {
    const quotas = await get('/api/v3/users/alice/overall_quotas', t.keys.alice);
    assert.deepEqual(Object.keys(quotas.data).sort(), ['api_requests_daily', 'api_requests_hourly', 'api_requests_monthly']);
    assert.deepEqual(quotas.data.api_requests_daily.user, { allowed: 500, used: 0 });
    const byKey = await get(`/api/v3/users/${t.keys.alice}/overall_quotas`, t.keys.alice);
    assert.deepEqual(byKey, quotas);
    const usage = await get('/api/v3/users/alice/api_usage?start_date=20231110&end_date=20231114', t.keys.alice);
    assert.deepEqual(Object.keys(usage.data.daily), ['2023-11-10', '2023-11-11', '2023-11-12', '2023-11-13', '2023-11-14']);
    assert.deepEqual(usage.data.total, {});
    // A group member also gets the group's entry.
    await send('POST', '/api/v3/admin/groups', t.keys.root, { data: { type: 'group', attributes: { name: 'quota-team', quotas: { requests_per_day: 900 } } } });
    await send('POST', '/api/v3/admin/groups/quota-team/members', t.keys.root, { data: [{ type: 'user', id: 'bob' }] });
    const bob = await get('/api/v3/users/bob/overall_quotas', t.keys.bob);
    assert.deepEqual(bob.data.api_requests_daily.group, { allowed: 900, used: 0, inherited_from: 'quota-team' });
  });

  it('admin: create a user, whose key (in meta, once) works at once', async () => {
    const created = await send('POST', '/api/v3/admin/users', t.keys.root, {
      data: { type: 'user', attributes: { name: 'carol', tier: 'premium', privileges: ['private_scanning'], email: 'carol@example.org', label: 'laptop' } },
    });
    assert.equal(created.data.id, 'carol');
    assert.match(created.meta.apikey, /^[0-9a-f]{64}$/);
    assert.match(created.meta.key_id, /^k_[0-9a-f]{8}$/);
    assert.equal('apikey' in created.data.attributes, false);
    assert.deepEqual(created.data.attributes.privileges, {
      private_scanning: { granted: true },
      download: { granted: true, inherited_from: 'premium' },
      intelligence: { granted: true, inherited_from: 'premium' },
    });
    assert.equal(created.data.attributes.email, 'carol@example.org');
    const self = await get('/api/v3/users/carol', created.meta.apikey);
    assert.equal(self.data.attributes.tier, 'premium');
  });

  it('admin: list users in pages', async () => {
    const first = await get('/api/v3/admin/users?limit=2', t.keys.root);
    assert.deepEqual(first.data.map((u: Json) => u.id), ['alice', 'bob']);
    assert.ok(first.meta.cursor);
    const next = new URL(first.links.next);
    assert.equal(`${next.origin}${next.pathname}`, `${BASE}/api/v3/admin/users`);
    assert.deepEqual([next.searchParams.get('cursor'), next.searchParams.get('limit')], [first.meta.cursor, '2']);
    const rest = await get(`/api/v3/admin/users?limit=10&cursor=${first.meta.cursor}`, t.keys.root);
    assert.deepEqual(rest.data.map((u: Json) => u.id), ['carol', 'root']);
    assert.deepEqual(rest.meta, {});
  });

  it('admin: disable and enable a user; their key gets UserNotActiveError meanwhile', async () => {
    const disabled = await send('PATCH', '/api/v3/admin/users/bob', t.keys.root, { data: { type: 'user', attributes: { status: 'inactive' } } });
    assert.equal(disabled.data.attributes.status, 'inactive');
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/users/bob', headers: as(t.keys.bob) }), 401, 'UserNotActiveError');
    await send('PATCH', '/api/v3/admin/users/bob', t.keys.root, { data: { attributes: { status: 'active' } } });
    await get('/api/v3/users/bob', t.keys.bob);
  });

  it('admin: tier, email and quota overrides in one PATCH; null removes', async () => {
    let user = await send('PATCH', '/api/v3/admin/users/alice', t.keys.root, {
      data: { type: 'user', attributes: { tier: 'premium', email: 'alice@example.org', quotas: { requests_per_minute: 30, requests_per_day: 2000 } } },
    });
    assert.equal(user.data.attributes.tier, 'premium');
    assert.equal(user.data.attributes.email, 'alice@example.org');
    assert.deepEqual(user.data.attributes.quota_overrides, { requests_per_minute: 30, requests_per_day: 2000 });
    user = await send('PATCH', '/api/v3/admin/users/alice', t.keys.root, {
      data: { attributes: { tier: 'public', email: null, quotas: { requests_per_minute: null } } },
    });
    assert.equal('email' in user.data.attributes, false);
    assert.deepEqual(user.data.attributes.quota_overrides, { requests_per_day: 2000 });
    const quotas = await get('/api/v3/users/alice/overall_quotas', t.keys.alice);
    assert.equal(quotas.data.api_requests_daily.user.allowed, 2000, 'the quota service reads the override');
  });

  it('admin: grant and revoke a privilege; download follows it', async () => {
    const sample = t.fake.seedFile(Buffer.from('privileged sample'));
    const download = () => t.app.inject({ method: 'GET', url: `/api/v3/files/${sample.sha256}/download`, headers: as(t.keys.bob) });
    assertError(await download(), 403, 'ForbiddenError');
    const granted = await send('POST', '/api/v3/admin/users/bob/privileges/download', t.keys.root);
    assert.deepEqual(granted.data.attributes.privileges, { download: { granted: true } });
    const ok = await download();
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.body, 'privileged sample');
    const revoked = await send('DELETE', '/api/v3/admin/users/bob/privileges/download', t.keys.root);
    assert.deepEqual(revoked.data.attributes.privileges, {});
    assertError(await download(), 403, 'ForbiddenError');
  });

  it('admin: keys are listed, created, rotated and revoked by public id', async () => {
    // Keys made in the same second list in no particular order; a second apart, oldest first.
    t.clock.ms += 1_000;
    const created = await send('POST', '/api/v3/admin/users/bob/keys', t.keys.root, { data: { type: 'api_key', attributes: { label: 'ci' } } });
    assert.equal(created.data.type, 'api_key');
    assert.deepEqual(created.data.attributes, { user: 'bob', label: 'ci', status: 'active', creation_date: 1_700_000_001 });
    const ciKey: string = created.meta.apikey;
    await get('/api/v3/users/bob', ciKey);

    const listed = await get('/api/v3/admin/users/bob/keys', t.keys.root);
    assert.deepEqual(
      listed.data.map((k: Json) => [k.attributes.label ?? null, k.attributes.status]),
      [
        [null, 'active'],
        ['ci', 'active'],
      ],
    );
    assert.equal(JSON.stringify(listed).includes(ciKey), false, 'keys are never shown again');
    assert.equal(JSON.stringify(listed).includes(t.keys.bob), false);

    t.clock.ms += 10_000;
    const rotated = await send('POST', `/api/v3/admin/keys/${created.data.id}/rotate`, t.keys.root);
    assert.equal(rotated.meta.replaced, created.data.id);
    assert.notEqual(rotated.data.id, created.data.id);
    assert.equal(rotated.data.attributes.label, 'ci');
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/users/bob', headers: as(ciKey) }), 401, 'WrongCredentialsError');
    await get('/api/v3/users/bob', rotated.meta.apikey);

    const revoked = await send('DELETE', `/api/v3/admin/keys/${rotated.data.id}`, t.keys.root);
    assert.equal(revoked.data.attributes.status, 'revoked');
    assert.equal(revoked.data.attributes.revocation_date, 1_700_000_011);
    assertError(await t.app.inject({ method: 'GET', url: '/api/v3/users/bob', headers: as(rotated.meta.apikey) }), 401, 'WrongCredentialsError');
  });
});
