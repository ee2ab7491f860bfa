/**
 * The Store contract: every metadata adapter runs this suite unchanged. Not a test file by itself;
 * an adapter's test calls `runStoreContract` with a factory that opens a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../core/errors.js';
import { emptyStats, statsOf, type EngineResult } from '../core/verdict.js';
import type { FileSubmission, Store } from './ports.js';

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

    describe('users and keys', () => {
      test('users are created, fetched by id and name; a second user with one name is refused', () =>
        withStore(async (store) => {
          const user = { id: 'u1', name: 'alice', isAdmin: true, tier: 'premium', active: true, createdAt: 1_700_000_000 };
          assert.deepEqual(await store.users.create(user), user);
          assert.deepEqual(await store.users.get('u1'), user);
          assert.deepEqual(await store.users.findByName('alice'), user);
          assert.equal(await store.users.get('nobody'), undefined);
          assert.equal(await store.users.findByName('bob'), undefined);
          const bob = { id: 'u2', name: 'bob', isAdmin: false, tier: 'public', active: false, createdAt: 5 };
          assert.deepEqual(await store.users.create(bob), bob);
          await assert.rejects(
            store.users.create({ ...bob, id: 'u3' }),
            (e) => isAppError(e) && e.code === 'AlreadyExistsError',
          );
        }));

      test('API keys are stored by hash', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          const key = { keyHash: 'h'.repeat(64), userId: 'u1', createdAt: 2, revokedAt: null };
          await store.apiKeys.create(key);
          assert.deepEqual(await store.apiKeys.findByHash(key.keyHash), key);
          assert.equal(await store.apiKeys.findByHash('0'.repeat(64)), undefined);
          await assert.rejects(store.apiKeys.create(key), (e) => isAppError(e) && e.code === 'AlreadyExistsError');
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

      test('of concurrent consumers of one token, exactly one wins', () =>
        withStore(async (store) => {
          await store.users.create({ id: 'u1', name: 'alice', isAdmin: false, tier: 'public', active: true, createdAt: 1 });
          await store.uploadTokens.create({ tokenHash: 'race', userId: 'u1', expiresAt: 1000 });
          const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.uploadTokens.consume('race', 500)));
          assert.equal(outcomes.filter((o) => o !== undefined).length, 1);
        }));
    });
  });
}
