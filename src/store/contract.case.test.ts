/**
 * The Store contract: every metadata adapter runs this suite unchanged. Not a test file by itself;
 * an adapter's test calls `runStoreContract` with a factory that opens a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../core/errors.js';
import { emptyStats, statsOf, type EngineResult } from '../core/verdict.js';
import type { FileSubmission } from './ports/file-repository.js';
import type { Store } from './ports/store.js';
import { runCommunityStoreContract } from './community-contract.case.test.js';
import { runNetworkStoreContract } from './network-contract.case.test.js';
import { runPrivateScopesStoreContract } from './private-scopes-contract.case.test.js';

function hashesOf(seed: string): { md5: string; sha1: string; sha256: string } {
  const digest = (algorithm: string) => createHash(algorithm).update(seed).digest('hex');
  return { md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256') };
}

function submission(seed: string, at: number, name?: string): FileSubmission {
  return { ...hashesOf(seed), size: seed.length, at, ...(name === undefined ? {} : { name }) };
}

function result(engine: string, category: EngineResult['category'], detection: string | null = null): EngineResult {
  return { engine_name: engine, category, result: detection, method: 'blacklist', engine_version: '1', engine_update: '20250101' };
}

/** `openStore` returns a fresh store on an empty database, not yet migrated; the suite closes it. */
export function runStoreContract(name: string, openStore: () => Promise<Store>): void {
  /** Each test gets its own migrated store, closed afterwards whatever the outcome. */
  async function withStore(use: (store: Store) => Promise<void>): Promise<void> {
    const store = await openStore();
    try {
      await store.migrate();
      await use(store);
    } finally {
      await store.close();
    }
  }

  describe(`Store contract: ${name}`, () => {
    test('migrations apply once; running them again applies nothing', async () => {
      const store = await openStore();
      try {
        const first = await store.migrate();
        assert.ok(first.length > 0, 'a fresh database gets every migration');
        assert.deepEqual(first, [...first].sort(), 'migrations run in name order');
        assert.deepEqual(await store.migrate(), []);
        assert.equal(await store.files.findByHash('sha256', hashesOf('x').sha256), undefined);
      } finally {
        await store.close();
      }
    });

    describe('files', () => {
      test('recordSubmission inserts a new file with defaults', () =>
        withStore(async (store) => {
          const s = submission('alpha', 1_700_000_000, 'alpha.exe');
          const file = await store.files.recordSubmission(s);
          assert.deepEqual(file, {
            sha256: s.sha256,
            sha1: s.sha1,
            md5: s.md5,
            size: s.size,
            names: ['alpha.exe'],
            timesSubmitted: 1,
            firstSubmissionDate: 1_700_000_000,
            lastSubmissionDate: 1_700_000_000,
            attributes: {},
            tags: [],
            lastAnalysisId: null,
            lastAnalysisDate: null,
            lastAnalysisResults: null,
            lastAnalysisStats: null,
            reputation: 0,
            totalVotes: { harmless: 0, malicious: 0 },
          });
        }));

      test('recordSubmission counts resubmissions and keeps distinct, non-empty names', () =>
        withStore(async (store) => {
          await store.files.recordSubmission(submission('beta', 100));
          let file = await store.files.recordSubmission(submission('beta', 200, 'b.exe'));
          assert.equal(file.timesSubmitted, 2);
          assert.equal(file.firstSubmissionDate, 100);
          assert.equal(file.lastSubmissionDate, 200);
          assert.deepEqual(file.names, ['b.exe']);
          await store.files.recordSubmission(submission('beta', 300, 'b.exe'));
          await store.files.recordSubmission(submission('beta', 400, ''));
          await store.files.recordSubmission(submission('beta', 500, '   '));
          file = await store.files.recordSubmission(submission('beta', 600, 'other.bin'));
          assert.equal(file.timesSubmitted, 6);
          assert.equal(file.lastSubmissionDate, 600);
          assert.deepEqual(file.names, ['b.exe', 'other.bin']);
          assert.deepEqual(await store.files.findByHash('sha256', file.sha256), file);
        }));

      test('recordSubmission is atomic under concurrent submissions of one file', () =>
        withStore(async (store) => {
          const names = Array.from({ length: 12 }, (_, i) => `n${i % 6}.bin`);
          await Promise.all(names.map((n, i) => store.files.recordSubmission(submission('gamma', 1000 + i, n))));
          const file = await store.files.findByHash('sha256', hashesOf('gamma').sha256);
          assert.ok(file);
          assert.equal(file.timesSubmitted, 12);
          assert.deepEqual([...file.names].sort(), ['n0.bin', 'n1.bin', 'n2.bin', 'n3.bin', 'n4.bin', 'n5.bin']);
        }));

      test('findByHash accepts md5, sha1 and sha256 in any case; unknown is undefined', () =>
        withStore(async (store) => {
          const s = submission('delta', 10, 'd');
          await store.files.recordSubmission(s);
          await store.files.recordSubmission(submission('unrelated', 10));
          for (const kind of ['md5', 'sha1', 'sha256'] as const) {
            assert.equal((await store.files.findByHash(kind, s[kind]))?.sha256, s.sha256, kind);
            assert.equal((await store.files.findByHash(kind, s[kind].toUpperCase()))?.sha256, s.sha256, `${kind} upper`);
          }
          assert.equal(await store.files.findByHash('md5', hashesOf('nope').md5), undefined);
        }));
    });

    describe('analyses', () => {
      test('create, get and markInProgress', () =>
        withStore(async (store) => {
          const s = submission('eps', 50);
          await store.files.recordSubmission(s);
          const created = await store.analyses.create({ id: 'a-1', itemType: 'file', itemId: s.sha256, date: 50 });
          const expected = {
            id: 'a-1',
            itemType: 'file' as const,
            itemId: s.sha256,
            status: 'queued' as const,
            date: 50,
            results: [],
            stats: emptyStats(),
            completedAt: null,
          };
          assert.deepEqual(created, expected);
          assert.deepEqual(await store.analyses.get('a-1'), expected);
          assert.equal(await store.analyses.get('missing'), undefined);
          await store.analyses.markInProgress('a-1');
          assert.equal((await store.analyses.get('a-1'))?.status, 'in-progress');
          await store.analyses.markInProgress('a-1');
          assert.equal((await store.analyses.get('a-1'))?.status, 'in-progress');
        }));

      test('completeFileAnalysis completes the analysis and updates the file in one step', () =>
        withStore(async (store) => {
          const s = submission('zeta', 100, 'z.exe');
          await store.files.recordSubmission(s);
          await store.analyses.create({ id: 'first', itemType: 'file', itemId: s.sha256, date: 100 });
          const firstResults = [result('ClamAV', 'undetected'), result('YARA', 'harmless')];
          assert.equal(
            await store.analyses.completeFileAnalysis({
              analysisId: 'first',
              sha256: s.sha256,
              results: firstResults,
              stats: statsOf(firstResults),
              attributes: { magic: 'PE32', type_tag: 'peexe', ssdeep: '3:a:b' },
              tags: ['peexe', 'overlay'],
              at: 110,
            }),
            true,
          );

          await store.analyses.create({ id: 'second', itemType: 'file', itemId: s.sha256, date: 200 });
          await store.analyses.markInProgress('second');
          const secondResults = [result('ClamAV', 'malicious', 'Eicar-Test-Signature'), result('YARA', 'harmless')];
          assert.equal(
            await store.analyses.completeFileAnalysis({
              analysisId: 'second',
              sha256: s.sha256,
              results: secondResults,
              stats: statsOf(secondResults),
              attributes: { magic: 'PE32+', tlsh: 'T1abc' },
              tags: ['overlay', 'signed'],
              at: 210,
            }),
            true,
          );

          assert.deepEqual(await store.analyses.get('second'), {
            id: 'second',
            itemType: 'file',
            itemId: s.sha256,
            status: 'completed',
            date: 200,
            results: secondResults,
            stats: statsOf(secondResults),
            completedAt: 210,
          });
          const file = await store.files.findByHash('sha256', s.sha256);
          assert.ok(file);
          assert.equal(file.lastAnalysisId, 'second');
          assert.equal(file.lastAnalysisDate, 210);
          assert.deepEqual(file.lastAnalysisResults, secondResults);
          assert.deepEqual(file.lastAnalysisStats, statsOf(secondResults));
          assert.deepEqual(file.attributes, { magic: 'PE32+', type_tag: 'peexe', ssdeep: '3:a:b', tlsh: 'T1abc' });
          assert.deepEqual(file.tags, ['peexe', 'overlay', 'signed']);
          assert.equal(file.timesSubmitted, 1, 'completion does not count as a submission');
          assert.deepEqual(file.names, ['z.exe']);
        }));

      test('completing twice returns false and changes nothing', () =>
        withStore(async (store) => {
          const s = submission('eta', 100);
          await store.files.recordSubmission(s);
          await store.analyses.create({ id: 'once', itemType: 'file', itemId: s.sha256, date: 100 });
          const results = [result('ClamAV', 'undetected')];
          const outcome = {
            analysisId: 'once',
            sha256: s.sha256,
            results,
            stats: statsOf(results),
            attributes: { magic: 'text' },
            tags: ['text'],
            at: 120,
          };
          assert.equal(await store.analyses.completeFileAnalysis(outcome), true);
          const analysisBefore = await store.analyses.get('once');
          const fileBefore = await store.files.findByHash('sha256', s.sha256);

          const rerun = [result('ClamAV', 'malicious', 'X')];
          const again = await store.analyses.completeFileAnalysis({
            ...outcome,
            results: rerun,
            stats: statsOf(rerun),
            attributes: { magic: 'changed', extra: 1 },
            tags: ['changed'],
            at: 999,
          });
          assert.equal(again, false);
          assert.deepEqual(await store.analyses.get('once'), analysisBefore);
          assert.deepEqual(await store.files.findByHash('sha256', s.sha256), fileBefore);
          await store.analyses.markInProgress('once');
          assert.equal((await store.analyses.get('once'))?.status, 'completed', 'a completed analysis stays completed');
        }));

      test('concurrent completions of one file merge both attribute sets', () =>
        withStore(async (store) => {
          const s = submission('theta', 1);
          await store.files.recordSubmission(s);
          const ids = Array.from({ length: 8 }, (_, i) => `c-${i}`);
          for (const id of ids) await store.analyses.create({ id, itemType: 'file', itemId: s.sha256, date: 1 });
          const outcomes = await Promise.all(
            ids.map((id, i) =>
              store.analyses.completeFileAnalysis({
                analysisId: id,
                sha256: s.sha256,
                results: [],
                stats: emptyStats(),
                attributes: { [`attr_${i}`]: i },
                tags: [`tag-${i}`],
                at: 10 + i,
              }),
            ),
          );
          assert.deepEqual(outcomes, ids.map(() => true));
          const file = await store.files.findByHash('sha256', s.sha256);
          assert.ok(file);
          assert.deepEqual(Object.keys(file.attributes).sort(), ids.map((_, i) => `attr_${i}`).sort());
          assert.deepEqual([...file.tags].sort(), ids.map((_, i) => `tag-${i}`).sort());
        }));

      test('completing an analysis of an unrecorded file fails and leaves the analysis open', () =>
        withStore(async (store) => {
          const ghost = hashesOf('ghost').sha256;
          await store.analyses.create({ id: 'orphan', itemType: 'file', itemId: ghost, date: 1 });
          await assert.rejects(
            store.analyses.completeFileAnalysis({
              analysisId: 'orphan',
              sha256: ghost,
              results: [],
              stats: emptyStats(),
              attributes: {},
              tags: [],
              at: 2,
            }),
          );
          assert.equal((await store.analyses.get('orphan'))?.status, 'queued', 'the transaction rolled back');
        }));

      test('listForItem pages newest first across three pages with an opaque cursor', () =>
        withStore(async (store) => {
          const s = submission('iota', 1);
          const other = submission('kappa', 1);
          await store.files.recordSubmission(s);
          await store.files.recordSubmission(other);
          // Equal dates on purpose: the cursor must break ties without skipping or repeating rows.
          const dates = [100, 200, 200, 300, 300, 300, 400];
          for (const [i, date] of dates.entries()) {
            await store.analyses.create({ id: `an-${i}`, itemType: 'file', itemId: s.sha256, date });
          }
          await store.analyses.create({ id: 'an-other', itemType: 'file', itemId: other.sha256, date: 500 });

          const seen: string[] = [];
          const pageSizes: number[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.analyses.listForItem(s.sha256, { limit: 3, ...(cursor ? { cursor } : {}) });
            pageSizes.push(page.items.length);
            seen.push(...page.items.map((a) => a.id));
            cursor = page.cursor;
            if (cursor !== undefined) assert.match(cursor, /^[A-Za-z0-9_-]+$/, 'cursor is base64url');
          } while (cursor !== undefined);
          assert.deepEqual(pageSizes, [3, 3, 1]);
          assert.deepEqual(seen, ['an-6', 'an-5', 'an-4', 'an-3', 'an-2', 'an-1', 'an-0']);

          const exact = await store.analyses.listForItem(s.sha256, { limit: 7 });
          assert.equal(exact.items.length, 7);
          assert.equal(exact.cursor, undefined, 'no cursor when the last page is exactly full');
          const none = await store.analyses.listForItem(hashesOf('nothing').sha256, { limit: 3 });
          assert.deepEqual(none, { items: [] });
        }));

      test('listForItem refuses a malformed cursor', () =>
        withStore(async (store) => {
          await assert.rejects(
            store.analyses.listForItem('x', { limit: 3, cursor: 'not-a-cursor' }),
            (e) => isAppError(e) && e.code === 'InvalidArgumentError',
          );
        }));

      test('listUnfinished returns queued and in-progress analyses, oldest first', () =>
        withStore(async (store) => {
          const s = submission('lambda', 1);
          await store.files.recordSubmission(s);
          for (const [id, date] of [['u-3', 30], ['u-1', 10], ['u-2', 20], ['u-4', 40]] as const) {
            await store.analyses.create({ id, itemType: 'file', itemId: s.sha256, date });
          }
          await store.analyses.markInProgress('u-2');
          await store.analyses.completeFileAnalysis({
            analysisId: 'u-1',
            sha256: s.sha256,
            results: [],
            stats: emptyStats(),
            attributes: {},
            tags: [],
            at: 11,
          });
          const unfinished = await store.analyses.listUnfinished(10);
          assert.deepEqual(
            unfinished.map((a) => [a.id, a.status]),
            [
              ['u-2', 'in-progress'],
              ['u-3', 'queued'],
              ['u-4', 'queued'],
            ],
          );
          assert.deepEqual((await store.analyses.listUnfinished(2)).map((a) => a.id), ['u-2', 'u-3']);
        }));
    });

    describe('users, groups and keys', () => {
      const noExtras = { privileges: [], groupId: null, lastLogin: null, email: null, quotaOverrides: {} };

      test('users are created, fetched by id and name; a second user with one name is refused', () =>
        withStore(async (store) => {
          const user = { id: 'u1', name: 'alice', isAdmin: true, tier: 'premium', active: true, createdAt: 1_700_000_000 };
          assert.deepEqual(await store.users.create(user), { ...user, ...noExtras });
          assert.deepEqual(await store.users.get('u1'), { ...user, ...noExtras });
          assert.deepEqual(await store.users.findByName('alice'), { ...user, ...noExtras });
          assert.equal(await store.users.get('nobody'), undefined);
          assert.equal(await store.users.findByName('bob'), undefined);
          const bob = {
            id: 'u2',
            name: 'bob',
            isAdmin: false,
            tier: 'public',
            active: false,
            createdAt: 5,
            privileges: ['download', 'download', 'intelligence'],
            email: 'bob@example.org',
            quotaOverrides: { requestsPerDay: 50 },
          };
          assert.deepEqual(await store.users.create(bob), { ...bob, privileges: ['download', 'intelligence'], groupId: null, lastLogin: null });
          await assert.rejects(
            store.users.create({ ...bob, id: 'u3' }),
            (e) => isAppError(e) && e.code === 'AlreadyExistsError',
          );
          await assert.rejects(
            store.users.create({ ...bob, name: 'other' }),
            (e) => isAppError(e) && e.code === 'AlreadyExistsError',
          );
        }));

      test('users list by id in pages with an opaque cursor', () =>
        withStore(async (store) => {
          for (const name of ['dave', 'alice', 'erin', 'carol', 'bob']) {
            await store.users.create({ id: name, name, isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          }
          const seen: string[] = [];
          const sizes: number[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.users.list({ limit: 2, ...(cursor ? { cursor } : {}) });
            sizes.push(page.items.length);
            seen.push(...page.items.map((u) => u.id));
            cursor = page.cursor;
          } while (cursor !== undefined);
          assert.deepEqual(sizes, [2, 2, 1]);
          assert.deepEqual(seen, ['alice', 'bob', 'carol', 'dave', 'erin']);
          assert.equal((await store.users.list({ limit: 5 })).cursor, undefined, 'no cursor when the last page is exactly full');
          await assert.rejects(store.users.list({ limit: 2, cursor: 'garbage' }), (e) => isAppError(e) && e.code === 'InvalidArgumentError');
        }));

      test('update sets only the given fields; unknown users give undefined', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1, privileges: ['download'] });
          const updated = await store.users.update('u1', { active: false, tier: 'premium', email: 'a@example.org', quotaOverrides: { requestsPerMinute: 9 } });
          assert.deepEqual(updated, {
            id: 'u1',
            name: 'alice',
            isAdmin: false,
            tier: 'premium',
            active: false,
            createdAt: 1,
            privileges: ['download'],
            groupId: null,
            lastLogin: null,
            email: 'a@example.org',
            quotaOverrides: { requestsPerMinute: 9 },
          });
          assert.deepEqual(await store.users.get('u1'), updated);
          assert.deepEqual(await store.users.update('u1', {}), updated);
          const again = await store.users.update('u1', { isAdmin: true, active: true, email: null, quotaOverrides: {} });
          assert.deepEqual([again?.isAdmin, again?.active, again?.email, again?.quotaOverrides], [true, true, null, {}]);
          assert.equal(await store.users.update('nobody', { active: false }), undefined);
        }));

      test('privileges change atomically: concurrent grants are all kept', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          const names = Array.from({ length: 8 }, (_, i) => `p${i}`);
          await Promise.all(names.map((name) => store.users.changePrivileges('u1', { grant: [name] })));
          assert.deepEqual([...(await store.users.get('u1'))!.privileges].sort(), names);
          const after = await store.users.changePrivileges('u1', { grant: ['p0', 'extra'], revoke: ['p1', 'p2', 'missing'] });
          assert.deepEqual([...after!.privileges].sort(), ['extra', 'p0', 'p3', 'p4', 'p5', 'p6', 'p7']);
          assert.equal(await store.users.changePrivileges('nobody', { grant: ['x'] }), undefined);
        }));

      test('recordLogin writes at most once per interval', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          await store.users.recordLogin('u1', 1000, 60);
          assert.equal((await store.users.get('u1'))?.lastLogin, 1000);
          await store.users.recordLogin('u1', 1059, 60);
          assert.equal((await store.users.get('u1'))?.lastLogin, 1000, 'within the minute: unchanged');
          await store.users.recordLogin('u1', 1060, 60);
          assert.equal((await store.users.get('u1'))?.lastLogin, 1060);
          await store.users.recordLogin('nobody', 1060, 60);
        }));

      test('groups: created once by id and name, quota overrides replaced, members listed and counted', () =>
        withStore(async (store) => {
          const soc = { id: 'soc', name: 'soc', quotaOverrides: { requestsPerDay: 10_000 }, createdAt: 7 };
          assert.deepEqual(await store.groups.create(soc), soc);
          assert.deepEqual(await store.groups.get('soc'), soc);
          assert.equal(await store.groups.get('nope'), undefined);
          await assert.rejects(store.groups.create({ ...soc, id: 'soc2' }), (e) => isAppError(e) && e.code === 'AlreadyExistsError');
          await store.groups.create({ id: 'ir', name: 'ir', quotaOverrides: {}, createdAt: 8 });
          assert.deepEqual((await store.groups.list()).map((g) => g.id), ['ir', 'soc']);
          const replaced = await store.groups.setQuotaOverrides('soc', { requestsPerMinute: 100, requestsPerMonth: 1_000_000 });
          assert.deepEqual(replaced, { ...soc, quotaOverrides: { requestsPerMinute: 100, requestsPerMonth: 1_000_000 } });
          assert.equal(await store.groups.setQuotaOverrides('nope', {}), undefined);

          for (const id of ['carol', 'alice', 'bob']) {
            await store.users.create({ id, name: id, isAdmin: false, tier: 'public', active: true, createdAt: 1, ...(id === 'bob' ? {} : { groupId: 'soc' }) });
          }
          assert.deepEqual((await store.users.listByGroup('soc')).map((u) => u.id), ['alice', 'carol']);
          assert.equal(await store.users.countByGroup('soc'), 2);
          await store.users.update('bob', { groupId: 'soc' });
          await store.users.update('alice', { groupId: null });
          assert.deepEqual((await store.users.listByGroup('soc')).map((u) => u.id), ['bob', 'carol']);
          assert.equal(await store.users.countByGroup('ir'), 0);
          assert.deepEqual(await store.users.listByGroup('ir'), []);
          await assert.rejects(store.users.update('bob', { groupId: 'no-such-group' }), 'a member of an unknown group is refused');
        }));

      test('API keys are stored by hash under a public id, with a label; several per user', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          const key = await store.apiKeys.create({ keyHash: 'h'.repeat(64), userId: 'u1', createdAt: 2, revokedAt: null });
          assert.match(key.keyId, /^k_[0-9a-f]{8}$/);
          assert.deepEqual(key, { keyId: key.keyId, keyHash: 'h'.repeat(64), userId: 'u1', label: null, createdAt: 2, revokedAt: null, lastUsedAt: null });
          assert.deepEqual(await store.apiKeys.findByHash(key.keyHash), key);
          assert.deepEqual(await store.apiKeys.get(key.keyId), key);
          assert.equal(await store.apiKeys.findByHash('0'.repeat(64)), undefined);
          assert.equal(await store.apiKeys.get('k_00000000'), undefined);
          await assert.rejects(
            store.apiKeys.create({ keyHash: key.keyHash, userId: 'u1', createdAt: 3, revokedAt: null }),
            (e) => isAppError(e) && e.code === 'AlreadyExistsError',
          );
          const second = await store.apiKeys.create({ keyHash: 'i'.repeat(64), keyId: 'k_0000beef', label: 'ci', userId: 'u1', createdAt: 3, revokedAt: null });
          assert.deepEqual([second.keyId, second.label], ['k_0000beef', 'ci']);
          await assert.rejects(
            store.apiKeys.create({ keyHash: 'j'.repeat(64), keyId: 'k_0000beef', userId: 'u1', createdAt: 4, revokedAt: null }),
            (e) => isAppError(e) && e.code === 'AlreadyExistsError',
          );
          assert.deepEqual((await store.apiKeys.listForUser('u1')).map((k) => k.keyId), [key.keyId, 'k_0000beef']);
          assert.deepEqual(await store.apiKeys.listForUser('nobody'), []);
        }));

      test('revoke sets revoked_at once; recordUse writes at most once per interval', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          const key = await store.apiKeys.create({ keyHash: 'h'.repeat(64), userId: 'u1', createdAt: 2, revokedAt: null });
          await store.apiKeys.recordUse(key.keyId, 100, 60);
          await store.apiKeys.recordUse(key.keyId, 150, 60);
          assert.equal((await store.apiKeys.get(key.keyId))?.lastUsedAt, 100);
          await store.apiKeys.recordUse(key.keyId, 160, 60);
          assert.equal((await store.apiKeys.get(key.keyId))?.lastUsedAt, 160);
          assert.equal((await store.apiKeys.revoke(key.keyId, 200))?.revokedAt, 200);
          assert.equal((await store.apiKeys.revoke(key.keyId, 300))?.revokedAt, 200, 'the first revocation date stays');
          assert.equal((await store.apiKeys.findByHash(key.keyHash))?.revokedAt, 200);
          assert.equal(await store.apiKeys.revoke('k_ffffffff', 300), undefined);
        }));

      test('rotate revokes the old key and creates the new one together; only once per key', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          const old = await store.apiKeys.create({ keyHash: 'a'.repeat(64), label: 'laptop', userId: 'u1', createdAt: 2, revokedAt: null });
          const rotated = await store.apiKeys.rotate(old.keyId, { keyHash: 'b'.repeat(64), createdAt: 50 });
          assert.ok(rotated);
          assert.notEqual(rotated.keyId, old.keyId);
          assert.deepEqual({ ...rotated, keyId: '' }, { keyId: '', keyHash: 'b'.repeat(64), userId: 'u1', label: 'laptop', createdAt: 50, revokedAt: null, lastUsedAt: null });
          assert.equal((await store.apiKeys.get(old.keyId))?.revokedAt, 50);
          assert.equal(await store.apiKeys.rotate(old.keyId, { keyHash: 'c'.repeat(64), createdAt: 60 }), undefined, 'a revoked key is not rotated');
          assert.equal(await store.apiKeys.findByHash('c'.repeat(64)), undefined);
          assert.equal(await store.apiKeys.rotate('k_ffffffff', { keyHash: 'd'.repeat(64), createdAt: 60 }), undefined);

          // Concurrent rotations of one key: exactly one wins, and only its new key exists.
          const outcomes = await Promise.all(
            ['1', '2', '3', '4'].map((c) => store.apiKeys.rotate(rotated.keyId, { keyHash: c.repeat(64), label: `r${c}`, createdAt: 70 })),
          );
          assert.equal(outcomes.filter((o) => o !== undefined).length, 1);
          const keys = await store.apiKeys.listForUser('u1');
          assert.equal(keys.length, 3);
          assert.equal(keys.filter((k) => k.revokedAt === null).length, 1);

          // A failing insert rolls the revocation back.
          const live = keys.find((k) => k.revokedAt === null)!;
          await assert.rejects(store.apiKeys.rotate(live.keyId, { keyHash: 'a'.repeat(64), createdAt: 80 }), (e) => isAppError(e) && e.code === 'AlreadyExistsError');
          assert.equal((await store.apiKeys.get(live.keyId))?.revokedAt, null);
        }));

      test('private-scanning access: file owners accumulate once each; an analysis has at most one owner', () =>
        withStore(async (store) => {
          const sha = hashesOf('private').sha256;
          assert.deepEqual(await store.access.fileOwners(sha), [], 'no rows: a file from before private scanning');
          await store.access.grantFile(sha, 'group:soc');
          await Promise.all([store.access.grantFile(sha, 'user:bob'), store.access.grantFile(sha, 'user:bob'), store.access.grantFile(sha, 'group:soc')]);
          assert.deepEqual(await store.access.fileOwners(sha), ['group:soc', 'user:bob']);
          await store.access.grantFile(sha, '*');
          assert.deepEqual(await store.access.fileOwners(sha), ['*', 'group:soc', 'user:bob']);
          assert.deepEqual(await store.access.fileOwners(hashesOf('other').sha256), []);

          assert.equal(await store.access.analysisOwner('a-1'), undefined);
          await store.access.setAnalysisOwner('a-1', 'group:soc');
          assert.equal(await store.access.analysisOwner('a-1'), 'group:soc');
          await assert.rejects(store.access.setAnalysisOwner('a-1', 'user:bob'), (e) => isAppError(e) && e.code === 'AlreadyExistsError');
        }));
    });

    describe('upload tokens', () => {
      test('a token is consumed once, and never after it expires', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          await store.uploadTokens.create({ tokenHash: 'live', userId: 'u1', expiresAt: 1000 });
          await store.uploadTokens.create({ tokenHash: 'stale', userId: 'u1', expiresAt: 1000 });
          assert.deepEqual(await store.uploadTokens.consume('live', 999), { userId: 'u1' });
          assert.equal(await store.uploadTokens.consume('live', 999), undefined, 'single use');
          assert.equal(await store.uploadTokens.consume('stale', 1000), undefined, 'expired at expiresAt');
          assert.equal(await store.uploadTokens.consume('stale', 2000), undefined);
          assert.equal(await store.uploadTokens.consume('unknown', 1), undefined);
        }));

      test('finding a token does not use it; a released token can be consumed again until it expires', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          await store.uploadTokens.create({ tokenHash: 'retry', userId: 'u1', expiresAt: 1000 });
          assert.deepEqual(await store.uploadTokens.find('retry', 10), { userId: 'u1' });
          assert.deepEqual(await store.uploadTokens.find('retry', 10), { userId: 'u1' }, 'finding twice is fine');
          assert.deepEqual(await store.uploadTokens.consume('retry', 20), { userId: 'u1' });
          assert.equal(await store.uploadTokens.find('retry', 30), undefined, 'taken');
          await store.uploadTokens.release('retry');
          assert.deepEqual(await store.uploadTokens.find('retry', 40), { userId: 'u1' });
          assert.deepEqual(await store.uploadTokens.consume('retry', 50), { userId: 'u1' });
          await store.uploadTokens.release('retry');
          assert.equal(await store.uploadTokens.find('retry', 1000), undefined, 'expired at expiresAt');
          assert.equal(await store.uploadTokens.consume('retry', 1000), undefined);
          assert.equal(await store.uploadTokens.find('unknown', 1), undefined);
        }));

      test('of concurrent consumers of one token, exactly one wins', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          await store.uploadTokens.create({ tokenHash: 'race', userId: 'u1', expiresAt: 1000 });
          const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.uploadTokens.consume('race', 500)));
          assert.equal(outcomes.filter((o) => o !== undefined).length, 1);
        }));
    });

    runCommunityStoreContract(withStore);
    runNetworkStoreContract(withStore);
    runPrivateScopesStoreContract(withStore);
  });
}
