// User, key and group routes, refusals: malformed bodies, unknown names, duplicates, bad values; each with its exact VT code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAccountsTestApp, type AccountsTestApp } from '../testing/accounts-app.js';
import { assertError } from '../testing/harness.js';

describe('users, keys and groups: errors', () => {
  let t: AccountsTestApp;
  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { 'x-apikey': t.keys.root }, ...(payload === undefined ? {} : { payload: payload as object }) });

  before(async () => {
    t = await createAccountsTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('unknown users, keys and groups: 404 NotFoundError (for admins)', async () => {
    assertError(await admin('GET', '/api/v3/users/nobody'), 404, 'NotFoundError', 'User "nobody" not found');
    assertError(await admin('GET', '/api/v3/users/nobody/overall_quotas'), 404, 'NotFoundError');
    assertError(await admin('PATCH', '/api/v3/admin/users/nobody', { data: { attributes: { status: 'inactive' } } }), 404, 'NotFoundError');
    assertError(await admin('POST', '/api/v3/admin/users/nobody/keys'), 404, 'NotFoundError');
    assertError(await admin('GET', '/api/v3/admin/users/nobody/keys'), 404, 'NotFoundError');
    assertError(await admin('DELETE', '/api/v3/admin/keys/k_00000000'), 404, 'NotFoundError', 'API key "k_00000000" not found');
    assertError(await admin('POST', '/api/v3/admin/keys/k_00000000/rotate'), 404, 'NotFoundError');
    assertError(await admin('GET', '/api/v3/groups/nope'), 404, 'NotFoundError', 'Group "nope" not found');
    assertError(await admin('POST', '/api/v3/admin/groups/nope/members', { data: [{ type: 'user', id: 'alice' }] }), 404, 'NotFoundError');
    assertError(await admin('POST', '/api/v3/admin/users', { data: { attributes: { name: 'x', group: 'nope' } } }), 404, 'NotFoundError');
  });

  it('malformed bodies: 400 BadRequestError', async () => {
    const bodies: Array<[string, string, unknown]> = [
      ['POST', '/api/v3/admin/users', {}],
      ['POST', '/api/v3/admin/users', { data: 'alice' }],
      ['POST', '/api/v3/admin/users', { data: { type: 'group', attributes: { name: 'x' } } }],
      ['PATCH', '/api/v3/admin/users/alice', { data: { attributes: [] } }],
      ['POST', '/api/v3/admin/users/alice/keys', { data: 'x' }],
      ['POST', '/api/v3/admin/groups/soc/members', { data: [] }],
      ['POST', '/api/v3/admin/groups/soc/members', { data: [{ type: 'file', id: 'x' }] }],
    ];
    for (const [method, url, body] of bodies) assertError(await admin(method as 'POST', url, body), 400, 'BadRequestError', undefined);
    const raw = await t.app.inject({ method: 'POST', url: '/api/v3/admin/users', headers: { 'x-apikey': t.keys.root, 'content-type': 'application/json' }, payload: '{"data":' });
    assertError(raw, 400, 'BadRequestError');
  });

  it('bad values: 400 InvalidArgumentError, with what was wrong', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', '/api/v3/admin/users', { data: { attributes: {} } }, /name/],
      ['POST', '/api/v3/admin/users', { data: { attributes: { name: 'has space' } } }, /User names are/],
      ['POST', '/api/v3/admin/users', { data: { attributes: { name: 'x', tier: 'gold' } } }, /Unknown tier "gold"; configured tiers: premium, public/],
      ['POST', '/api/v3/admin/users', { data: { attributes: { name: 'x', privileges: ['fly'] } } }, /Unknown privilege "fly"/],
      ['POST', '/api/v3/admin/users', { data: { attributes: { name: 'x', privileges: 'download' } } }, /list of strings/],
      ['POST', '/api/v3/admin/users', { data: { attributes: { name: 'x', admin: 'yes' } } }, /true or false/],
      ['POST', '/api/v3/admin/users', { data: { attributes: { name: 'x', nickname: 'y' } } }, /Unknown attribute\(s\) "nickname"/],
      ['PATCH', '/api/v3/admin/users/alice', { data: { attributes: { status: 'banned' } } }, /"active" or "inactive"/],
      ['PATCH', '/api/v3/admin/users/alice', { data: { attributes: { quotas: { requests_per_day: 0 } } } }, /positive integer/],
      ['PATCH', '/api/v3/admin/users/alice', { data: { attributes: { quotas: { requests_per_hour: 5 } } } }, /Unknown attribute/],
      ['PATCH', '/api/v3/admin/users/alice', { data: { attributes: { quotas: { requests_per_day: '5' } } } }, /positive integer or null/],
      ['PATCH', '/api/v3/admin/users/alice', { data: { attributes: { email: 'nope' } } }, /not an email address/],
      ['POST', '/api/v3/admin/users/alice/privileges/fly', undefined, /Unknown privilege/],
      ['POST', '/api/v3/admin/users/alice/keys', { data: { attributes: { label: 'x'.repeat(65) } } }, /at most 64/],
      ['POST', '/api/v3/admin/groups', { data: { attributes: { name: 'g', quotas: { requests_per_month: -1 } } } }, /positive integer/],
      ['PATCH', '/api/v3/admin/groups/soc', { data: { attributes: { name: 'renamed' } } }, /Unknown attribute/],
    ];
    await admin('POST', '/api/v3/admin/groups', { data: { attributes: { name: 'soc' } } });
    for (const [method, url, body, message] of cases) assertError(await admin(method as 'POST', url, body), 400, 'InvalidArgumentError', message);
    assert.equal(await t.store.users.get('x'), undefined);
  });

  it('duplicates: 409 AlreadyExistsError; a user already in another group is not moved', async () => {
    assertError(await admin('POST', '/api/v3/admin/users', { data: { attributes: { name: 'alice' } } }), 409, 'AlreadyExistsError', 'User "alice" already exists');
    await admin('POST', '/api/v3/admin/groups', { data: { attributes: { name: 'ir' } } });
    assertError(await admin('POST', '/api/v3/admin/groups', { data: { attributes: { name: 'ir' } } }), 409, 'AlreadyExistsError');
    await admin('POST', '/api/v3/admin/groups/ir/members', { data: [{ type: 'user', id: 'bob' }] });
    await admin('POST', '/api/v3/admin/groups', { data: { attributes: { name: 'red' } } });
    assertError(await admin('POST', '/api/v3/admin/groups/red/members', { data: [{ type: 'user', id: 'bob' }] }), 409, 'AlreadyExistsError', /already a member of group "ir"/);
    assert.equal((await t.store.users.get('bob'))?.groupId, 'ir');
    assertError(await admin('DELETE', '/api/v3/admin/groups/red/members/bob'), 404, 'NotFoundError', /not a member/);
  });

  it('rotating a revoked key: 400 InvalidArgumentError', async () => {
    const [key] = await t.store.apiKeys.listForUser('alice');
    await admin('DELETE', `/api/v3/admin/keys/${key!.keyId}`);
    assertError(await admin('POST', `/api/v3/admin/keys/${key!.keyId}/rotate`), 400, 'InvalidArgumentError', /is revoked; create a new key instead/);
  });

  it('a malformed page cursor: 400 InvalidArgumentError', async () => {
    assertError(await admin('GET', '/api/v3/admin/users?cursor=bogus'), 400, 'InvalidArgumentError');
  });
});
