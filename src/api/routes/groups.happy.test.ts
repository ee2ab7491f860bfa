// Group routes, the expected paths: an admin makes a group with limits and members; members see it, quotas included.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountsTestApp, type AccountsTestApp } from '../testing/accounts-app.js';
import { assertOk, BASE } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('groups: happy paths', () => {
  let t: AccountsTestApp;
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key: string, payload?: unknown) => {
    const res = await t.app.inject({ method, url, headers: { 'x-apikey': key }, ...(payload === undefined ? {} : { payload: payload as object }) });
    assertOk(res);
    return res.json() as Json;
  };

  before(async () => {
    t = await createAccountsTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('an admin creates a group with quota limits', async () => {
    const body = await call('POST', '/api/v3/admin/groups', t.keys.root, {
      data: { type: 'group', attributes: { name: 'soc', quotas: { requests_per_minute: 100, requests_per_day: 20_000 } } },
    });
    assert.deepEqual(body, {
      data: {
        type: 'group',
        id: 'soc',
        links: { self: `${BASE}/api/v3/groups/soc` },
        attributes: {
          name: 'soc',
          quotas: { requests_per_minute: 100, requests_per_day: 20_000 },
          members_count: 0,
          members: [],
          creation_date: 1_700_000_000,
        },
      },
    });
  });

  it('members are added with user descriptors and removed by id; the user object names the group', async () => {
    const added = await call('POST', '/api/v3/admin/groups/soc/members', t.keys.root, {
      data: [
        { type: 'user', id: 'alice' },
        { type: 'user', id: 'bob' },
      ],
    });
    assert.deepEqual([added.data.attributes.members_count, added.data.attributes.members], [2, ['alice', 'bob']]);
    assert.equal((await call('GET', '/api/v3/users/alice', t.keys.alice)).data.attributes.group, 'soc');
    const removed = await call('DELETE', '/api/v3/admin/groups/soc/members/bob', t.keys.root);
    assert.deepEqual(removed.data.attributes.members, ['alice']);
    assert.equal('group' in (await call('GET', '/api/v3/users/bob', t.keys.bob)).data.attributes, false);
  });

  it('a member sees their group, members included', async () => {
    const body = await call('GET', '/api/v3/groups/soc', t.keys.alice);
    assert.equal(body.data.attributes.members_count, 1);
    assert.deepEqual(body.data.attributes.members, ['alice']);
  });

  it('PATCH changes limits window by window; null removes one; the quota service applies them', async () => {
    const body = await call('PATCH', '/api/v3/admin/groups/soc', t.keys.root, {
      data: { type: 'group', attributes: { quotas: { requests_per_minute: null, requests_per_month: 400_000 } } },
    });
    assert.deepEqual(body.data.attributes.quotas, { requests_per_day: 20_000, requests_per_month: 400_000 });
    const quotas = await call('GET', '/api/v3/users/alice/overall_quotas', t.keys.alice);
    assert.deepEqual(quotas.data.api_requests_monthly.group, { allowed: 400_000, used: 0, inherited_from: 'soc' });
  });

  it('admins list every group', async () => {
    await call('POST', '/api/v3/admin/groups', t.keys.root, { data: { attributes: { name: 'ir' } } });
    const body = await call('GET', '/api/v3/admin/groups', t.keys.root);
    assert.deepEqual(
      body.data.map((g: Json) => [g.id, g.attributes.members_count]),
      [
        ['ir', 0],
        ['soc', 1],
      ],
    );
    assert.deepEqual(body.meta, {});
  });
});
