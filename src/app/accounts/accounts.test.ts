/** Account use cases over a real SQLite store with a controllable clock: privileges, authentication, keys, groups, who may do what. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { isAppError, type ErrorCode } from '../../core/errors.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import type { Principal } from '../principal.js';
import {
  addMember,
  authenticate,
  createAccountService,
  createGroup,
  createKey,
  createUser,
  effectivePrivileges,
  ensureBootstrapKey,
  grantPrivilege,
  listKeys,
  principalOf,
  quotaOverridesOf,
  removeMember,
  revokeKey,
  revokePrivilege,
  rotateKey,
  setGroupQuota,
  setUserActive,
  setUserTier,
  updateUser,
  type AccountDeps,
} from './index.js';

const tiers = {
  public: { privileges: [] },
  premium: { privileges: ['download', 'intelligence'] },
};

const rejectsWith = (code: ErrorCode, message?: RegExp) => (e: unknown) => {
  assert.ok(isAppError(e), `expected an AppError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

describe('accounts', () => {
  let store: Store;
  let clock: number;
  let deps: AccountDeps;

  beforeEach(async () => {
    store = (await openSqlite(':memory:')).store;
    await store.migrate();
    clock = 1_700_000_000_000;
    deps = { store, now: () => clock, tiers };
  });
  afterEach(() => store.close());

  describe('privileges and the principal', () => {
    test("a user holds their own privileges and their tier's; inherited ones say where from", async () => {
      const { user } = await createUser(deps, { name: 'alice', tier: 'premium', privileges: ['private_scanning', 'download'] });
      assert.deepEqual(effectivePrivileges(user, tiers), [
        { name: 'private_scanning', source: 'user' },
        { name: 'download', source: 'user' },
        { name: 'intelligence', source: 'tier', inheritedFrom: 'premium' },
      ]);
      assert.deepEqual(principalOf(user, tiers), {
        userId: 'alice',
        name: 'alice',
        isAdmin: false,
        tier: 'premium',
        privileges: ['private_scanning', 'download', 'intelligence'],
        groupId: null,
      });
    });

    test('a public user has none; an admin has every privilege', async () => {
      const { user: bob } = await createUser(deps, { name: 'bob' });
      assert.deepEqual(principalOf(bob, tiers).privileges, []);
      const { user: root } = await createUser(deps, { name: 'root', admin: true });
      assert.deepEqual([...principalOf(root, tiers).privileges].sort(), ['admin', 'download', 'intelligence', 'private_scanning']);
      assert.deepEqual(principalOf(root, tiers).privileges[0], 'admin');
    });

    test('an unknown tier in the record grants nothing rather than failing', async () => {
      await createUser({ store, now: deps.now }, { name: 'carol', tier: 'retired' });
      assert.deepEqual(principalOf((await store.users.get('carol'))!, tiers).privileges, []);
    });

    test('grant and revoke; `admin` is the admin flag; a tier privilege survives a revoke', async () => {
      await createUser(deps, { name: 'alice', tier: 'premium' });
      let user = await grantPrivilege(deps, 'alice', 'private_scanning');
      assert.deepEqual(user.privileges, ['private_scanning']);
      user = await grantPrivilege(deps, 'alice', 'admin');
      assert.equal(user.isAdmin, true);
      assert.deepEqual(user.privileges, ['private_scanning']);
      user = await revokePrivilege(deps, 'alice', 'admin');
      assert.equal(user.isAdmin, false);
      user = await revokePrivilege(deps, 'alice', 'download');
      assert.ok(principalOf(user, tiers).privileges.includes('download'), 'still granted by the premium tier');
      await assert.rejects(grantPrivilege(deps, 'alice', 'root'), rejectsWith('InvalidArgumentError', /known privileges: admin, download/));
      await assert.rejects(grantPrivilege(deps, 'nobody', 'download'), rejectsWith('NotFoundError'));
    });
  });

  describe('creating users', () => {
    test('a user gets a first key (64 hex, stored only hashed) with a public id', async () => {
      const { user, apiKey, key } = await createUser(deps, { name: 'alice', email: 'alice@example.org', label: 'laptop' });
      assert.match(apiKey, /^[0-9a-f]{64}$/);
      assert.match(key.keyId, /^k_[0-9a-f]{8}$/);
      assert.equal(key.label, 'laptop');
      assert.notEqual(key.keyHash, apiKey);
      assert.equal(user.createdAt, 1_700_000_000);
      assert.equal(user.email, 'alice@example.org');
      assert.equal(user.tier, 'public');
    });

    test('refuses bad names, unknown tiers, privileges and groups, and duplicates', async () => {
      await assert.rejects(createUser(deps, { name: 'no spaces' }), rejectsWith('InvalidArgumentError'));
      await assert.rejects(createUser(deps, { name: 'x', tier: 'gold' }), rejectsWith('InvalidArgumentError', /configured tiers: premium, public/));
      await assert.rejects(createUser(deps, { name: 'x', privileges: ['fly'] }), rejectsWith('InvalidArgumentError'));
      await assert.rejects(createUser(deps, { name: 'x', group: 'ghosts' }), rejectsWith('NotFoundError', /Group "ghosts"/));
      await assert.rejects(createUser(deps, { name: 'x', email: 'not an address' }), rejectsWith('InvalidArgumentError'));
      assert.equal(await store.users.get('x'), undefined, 'nothing was created');
      await createUser(deps, { name: 'alice' });
      await assert.rejects(createUser(deps, { name: 'alice' }), rejectsWith('AlreadyExistsError'));
    });

    test('--group and --privilege at creation', async () => {
      await createGroup(deps, { name: 'soc' });
      const { user } = await createUser(deps, { name: 'alice', group: 'soc', privileges: ['download', 'admin'] });
      assert.equal(user.groupId, 'soc');
      assert.equal(user.isAdmin, true);
      assert.deepEqual(user.privileges, ['download']);
    });

    test('the bootstrap key makes an admin once', async () => {
      const key = 'bootstrap-key-0123456789';
      assert.equal(await ensureBootstrapKey(deps, key), 'created');
      assert.equal(await ensureBootstrapKey(deps, key), 'present');
      const principal = await authenticate(deps, key);
      assert.equal(principal.isAdmin, true);
      assert.equal(principal.userId, 'admin');
      // Another bootstrap key while `admin` exists gets a fresh admin name.
      assert.equal(await ensureBootstrapKey(deps, 'another-bootstrap-key-000'), 'created');
      assert.match((await authenticate(deps, 'another-bootstrap-key-000')).userId, /^admin-[0-9a-f]{6}$/);
    });
  });

  describe('authentication', () => {
    test('no key, an unknown key, a revoked key, a disabled user: the exact VT errors', async () => {
      const { apiKey, key } = await createUser(deps, { name: 'alice' });
      await assert.rejects(async () => authenticate(deps, undefined), rejectsWith('AuthenticationRequiredError', /^X-Apikey header is missing$/));
      await assert.rejects(async () => authenticate(deps, ''), rejectsWith('AuthenticationRequiredError'));
      await assert.rejects(async () => authenticate(deps, 'f'.repeat(64)), rejectsWith('WrongCredentialsError'));
      assert.equal((await authenticate(deps, apiKey)).userId, 'alice');

      await setUserActive(deps, 'alice', false);
      await assert.rejects(async () => authenticate(deps, apiKey), rejectsWith('UserNotActiveError'));
      await setUserActive(deps, 'alice', true);
      assert.equal((await authenticate(deps, apiKey)).userId, 'alice');

      await revokeKey(deps, key.keyId);
      await assert.rejects(async () => authenticate(deps, apiKey), rejectsWith('WrongCredentialsError'));
    });

    test('records last_login and the key’s last use at most once a minute', async () => {
      const { apiKey, key } = await createUser(deps, { name: 'alice' });
      assert.equal((await store.users.get('alice'))?.lastLogin, null);
      await authenticate(deps, apiKey);
      assert.equal((await store.users.get('alice'))?.lastLogin, 1_700_000_000);
      assert.equal((await store.apiKeys.get(key.keyId))?.lastUsedAt, 1_700_000_000);
      clock += 59_000;
      await authenticate(deps, apiKey);
      assert.equal((await store.users.get('alice'))?.lastLogin, 1_700_000_000);
      clock += 1_000;
      await authenticate(deps, apiKey);
      assert.equal((await store.users.get('alice'))?.lastLogin, 1_700_000_060);
      assert.equal((await store.apiKeys.get(key.keyId))?.lastUsedAt, 1_700_000_060);
    });

    test('the principal reflects tier changes and grants on the next request', async () => {
      const { apiKey } = await createUser(deps, { name: 'alice' });
      assert.deepEqual((await authenticate(deps, apiKey)).privileges, []);
      await setUserTier(deps, 'alice', 'premium');
      assert.deepEqual((await authenticate(deps, apiKey)).privileges, ['download', 'intelligence']);
      await assert.rejects(setUserTier(deps, 'alice', 'gold'), rejectsWith('InvalidArgumentError'));
    });
  });

  describe('keys', () => {
    test('several keys per user, listed with revoked ones; revoking twice keeps the first date', async () => {
      const { apiKey: first, key: firstKey } = await createUser(deps, { name: 'alice' });
      clock += 1_000; // keys made in one second list in no particular order
      const second = await createKey(deps, 'alice', { label: 'ci' });
      assert.notEqual(second.apiKey, first);
      assert.equal((await authenticate(deps, second.apiKey)).userId, 'alice');
      clock += 5_000;
      assert.equal((await revokeKey(deps, firstKey.keyId)).revokedAt, 1_700_000_006);
      clock += 5_000;
      assert.equal((await revokeKey(deps, firstKey.keyId)).revokedAt, 1_700_000_006);
      const listed = await listKeys(deps, 'alice');
      assert.deepEqual(
        listed.map((k) => [k.keyId, k.label, k.revokedAt]),
        [
          [firstKey.keyId, null, 1_700_000_006],
          [second.key.keyId, 'ci', null],
        ],
      );
      await assert.rejects(revokeKey(deps, 'k_deadbeef'), rejectsWith('NotFoundError'));
      await assert.rejects(createKey(deps, 'nobody'), rejectsWith('NotFoundError'));
      await assert.rejects(createKey(deps, 'alice', { label: 'x'.repeat(65) }), rejectsWith('InvalidArgumentError'));
    });

    test('rotate: the new key works, the old one fails; a revoked key cannot be rotated', async () => {
      const { apiKey: old, key } = await createUser(deps, { name: 'alice', label: 'laptop' });
      const rotated = await rotateKey(deps, key.keyId);
      assert.equal(rotated.key.label, 'laptop');
      assert.equal(rotated.replaced.keyId, key.keyId);
      assert.notEqual(rotated.replaced.revokedAt, null);
      assert.equal((await authenticate(deps, rotated.apiKey)).userId, 'alice');
      await assert.rejects(async () => authenticate(deps, old), rejectsWith('WrongCredentialsError'));
      await assert.rejects(rotateKey(deps, key.keyId), rejectsWith('InvalidArgumentError', /is revoked/));
      await assert.rejects(rotateKey(deps, 'k_deadbeef'), rejectsWith('NotFoundError'));
      assert.equal((await rotateKey(deps, rotated.key.keyId, { label: 'desktop' })).key.label, 'desktop');
    });
  });

  describe('groups and quota overrides', () => {
    test('members join one group at most; overrides patch window by window', async () => {
      const soc = await createGroup(deps, { name: 'soc', quotaOverrides: { requestsPerDay: 1_000 } });
      assert.deepEqual(soc, { id: 'soc', name: 'soc', quotaOverrides: { requestsPerDay: 1_000 }, createdAt: 1_700_000_000 });
      await createGroup(deps, { name: 'ir' });
      await assert.rejects(createGroup(deps, { name: 'soc' }), rejectsWith('AlreadyExistsError'));
      await assert.rejects(createGroup(deps, { name: 'x', quotaOverrides: { requestsPerDay: 0 } }), rejectsWith('InvalidArgumentError'));

      await createUser(deps, { name: 'alice' });
      assert.equal((await addMember(deps, 'soc', 'alice')).groupId, 'soc');
      assert.equal((await addMember(deps, 'soc', 'alice')).groupId, 'soc', 'adding again changes nothing');
      await assert.rejects(addMember(deps, 'ir', 'alice'), rejectsWith('AlreadyExistsError', /already a member of group "soc"/));
      await assert.rejects(addMember(deps, 'nope', 'alice'), rejectsWith('NotFoundError'));
      await assert.rejects(removeMember(deps, 'ir', 'alice'), rejectsWith('NotFoundError', /not a member/));
      assert.equal((await removeMember(deps, 'soc', 'alice')).groupId, null);
      assert.equal((await addMember(deps, 'ir', 'alice')).groupId, 'ir');

      const patched = await setGroupQuota(deps, 'soc', { requestsPerMinute: 60, requestsPerDay: null });
      assert.deepEqual(patched.quotaOverrides, { requestsPerMinute: 60 });
    });

    test('quotaOverridesOf gives the user’s and the group’s, read afresh each time', async () => {
      const overridesOf = quotaOverridesOf(store);
      const { apiKey } = await createUser(deps, { name: 'alice' });
      const principal = await authenticate(deps, apiKey);
      assert.deepEqual(await overridesOf(principal), {});
      await updateUser(deps, 'alice', { quotaOverrides: { requestsPerMinute: 10 } });
      assert.deepEqual(await overridesOf(principal), { user: { requestsPerMinute: 10 } });
      await createGroup(deps, { name: 'soc', quotaOverrides: { requestsPerMonth: 50_000 } });
      await addMember(deps, 'soc', 'alice');
      // The principal predates the membership; the lookup still sees it.
      assert.deepEqual(await overridesOf(principal), {
        user: { requestsPerMinute: 10 },
        group: { id: 'soc', limits: { requestsPerMonth: 50_000 } },
      });
      await createGroup(deps, { name: 'empty' });
      await removeMember(deps, 'soc', 'alice');
      await addMember(deps, 'empty', 'alice');
      await updateUser(deps, 'alice', { quotaOverrides: { requestsPerMinute: null } });
      assert.deepEqual(await overridesOf(principal), { group: { id: 'empty', limits: {} } });
    });
  });

  describe('the accounts service: who may do what', () => {
    let admin: Principal;
    let alice: Principal;
    let aliceKey: string;
    let bobKey: string;
    const accounts = () => createAccountService(deps);

    beforeEach(async () => {
      admin = await authenticate(deps, (await createUser(deps, { name: 'root', admin: true })).apiKey);
      aliceKey = (await createUser(deps, { name: 'alice', tier: 'premium' })).apiKey;
      alice = await authenticate(deps, aliceKey);
      bobKey = (await createUser(deps, { name: 'bob' })).apiKey;
    });

    test('a user sees themselves, by id or by key; the key is echoed only when they asked with it', async () => {
      const byId = await accounts().getUser('alice', alice);
      assert.equal(byId.user.id, 'alice');
      assert.equal(byId.apiKey, undefined);
      const byKey = await accounts().getUser(aliceKey, alice);
      assert.equal(byKey.user.id, 'alice');
      assert.equal(byKey.apiKey, aliceKey);
      assert.deepEqual(
        byKey.privileges.map((p) => p.name),
        ['download', 'intelligence'],
      );
    });

    test("another user's data is ForbiddenError, whether that user exists or not", async () => {
      await assert.rejects(accounts().getUser('bob', alice), rejectsWith('ForbiddenError'));
      await assert.rejects(accounts().getUser(bobKey, alice), rejectsWith('ForbiddenError'));
      await assert.rejects(accounts().getUser('nobody', alice), rejectsWith('ForbiddenError'));
    });

    test("admins see anyone, but never another user's key; unknown users are NotFoundError", async () => {
      const bob = await accounts().getUser(bobKey, admin);
      assert.equal(bob.user.id, 'bob');
      assert.equal(bob.apiKey, undefined);
      await assert.rejects(accounts().getUser('nobody', admin), rejectsWith('NotFoundError'));
      await assert.rejects(accounts().getUser('f'.repeat(64), admin), rejectsWith('NotFoundError'));
      const { key, apiKey } = await createKey(deps, 'bob');
      assert.equal((await accounts().getUser(apiKey, admin)).user.id, 'bob');
      await revokeKey(deps, key.keyId);
      await assert.rejects(accounts().getUser(apiKey, admin), rejectsWith('NotFoundError'), 'a revoked key names nobody');
    });

    test('every management operation is ForbiddenError for a non-admin and works for an admin', async () => {
      const a = accounts();
      const attempts: Array<[string, (p: Principal) => Promise<unknown>]> = [
        ['listUsers', (p) => a.listUsers(p, { limit: 10 })],
        ['createUser', (p) => a.createUser({ name: 'dave' }, p)],
        ['updateUser', (p) => a.updateUser('bob', { tier: 'premium' }, p)],
        ['grantPrivilege', (p) => a.grantPrivilege('bob', 'download', p)],
        ['revokePrivilege', (p) => a.revokePrivilege('bob', 'download', p)],
        ['listKeys', (p) => a.listKeys('bob', p)],
        ['createKey', (p) => a.createKey('bob', {}, p)],
        ['createGroup', (p) => a.createGroup({ name: 'soc' }, p)],
        ['listGroups', (p) => a.listGroups(p)],
        ['addMember', (p) => a.addMember('soc', 'bob', p)],
        ['setGroupQuota', (p) => a.setGroupQuota('soc', { requestsPerDay: 5 }, p)],
        ['removeMember', (p) => a.removeMember('soc', 'bob', p)],
      ];
      for (const [name, attempt] of attempts) {
        await assert.rejects(attempt(alice), rejectsWith('ForbiddenError'), name);
        await attempt(admin);
      }
      const [bobKeyRecord] = await listKeys(deps, 'bob');
      await assert.rejects(a.rotateKey(bobKeyRecord!.keyId, {}, alice), rejectsWith('ForbiddenError'));
      await assert.rejects(a.revokeKey(bobKeyRecord!.keyId, alice), rejectsWith('ForbiddenError'));
      const rotated = await a.rotateKey(bobKeyRecord!.keyId, {}, admin);
      assert.equal((await a.revokeKey(rotated.key.keyId, admin)).revokedAt, 1_700_000_000);
    });

    test('an admin cannot choose the key of a user made through the service', async () => {
      const created = await accounts().createUser({ name: 'dave', apiKey: 'chosen-key-0000000000' }, admin);
      assert.notEqual(created.apiKey, 'chosen-key-0000000000');
      await assert.rejects(async () => authenticate(deps, 'chosen-key-0000000000'), rejectsWith('WrongCredentialsError'));
    });

    test('a group is seen by its members and admins only', async () => {
      await accounts().createGroup({ name: 'soc', quotaOverrides: { requestsPerDay: 100 } }, admin);
      await assert.rejects(accounts().getGroup('soc', alice), rejectsWith('ForbiddenError'));
      await assert.rejects(accounts().getGroup('nope', alice), rejectsWith('ForbiddenError'));
      await accounts().addMember('soc', 'alice', admin);
      const seen = await accounts().getGroup('soc', alice);
      assert.deepEqual({ ...seen, group: seen.group.id }, { group: 'soc', memberCount: 1, members: ['alice'] });
      assert.equal((await accounts().getGroup('soc', admin)).memberCount, 1);
      await assert.rejects(accounts().getGroup('nope', admin), rejectsWith('NotFoundError'));
      await accounts().removeMember('soc', 'alice', admin);
      await assert.rejects(accounts().getGroup('soc', alice), rejectsWith('ForbiddenError'), 'removal applies at once');
    });
  });
});
