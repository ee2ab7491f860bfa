/**
 * The Store contract for what is written under a private scope (comments, votes, submissions,
 * analyses): readers outside the scope never get it, its scope always does. Run by
 * runStoreContract on every adapter; not a test file by itself.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { CommunityItem } from '../core/community-ids.js';
import { emptyStats } from '../core/verdict.js';
import type { Store } from './ports/store.js';

const digest = (algorithm: string, seed: string) => createHash(algorithm).update(seed).digest('hex');
const hashesOf = (seed: string) => ({ md5: digest('md5', seed), sha1: digest('sha1', seed), sha256: digest('sha256', seed) });

const SOC = 'group:soc';
const OTHER = 'group:other';

export function runPrivateScopesStoreContract(withStore: (use: (store: Store) => Promise<void>) => Promise<void>): void {
  describe('private scopes', () => {
    test('comments carry their scope: lists by item and by tag, and latest, show a scope\'s only to that scope', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'file', id: (await store.files.recordSubmission({ ...hashesOf('c'), size: 1, at: 1 })).sha256 };
        const base = { itemType: item.type, itemId: item.id, authorId: 'alice', text: '#t', tags: ['t'] };
        await store.comments.create({ ...base, id: 'c-public', date: 10 });
        await store.comments.create({ ...base, id: 'c-soc', date: 20, visibility: SOC });
        await store.comments.create({ ...base, id: 'c-other', date: 30, visibility: OTHER });
        assert.equal((await store.comments.get('c-soc'))?.visibility, SOC);
        const ids = (page: { items: Array<{ id: string }> }) => page.items.map((c) => c.id);
        for (const [scopes, expected] of [
          [undefined, ['c-public']],
          [[], ['c-public']],
          [['user:bob'], ['c-public']],
          [['user:alice', SOC], ['c-soc', 'c-public']],
          [[OTHER, SOC], ['c-other', 'c-soc', 'c-public']],
        ] as const) {
          const visibleTo = scopes === undefined ? {} : { scopes };
          assert.deepEqual(ids(await store.comments.listForItem(item, { limit: 10, ...visibleTo })), expected, `item, ${String(scopes)}`);
          assert.deepEqual(ids(await store.comments.listLatest({ limit: 10, ...visibleTo })), expected, `latest, ${String(scopes)}`);
          assert.deepEqual(ids(await store.comments.listLatest({ limit: 10, tag: 't', ...visibleTo })), expected, `tag, ${String(scopes)}`);
        }
        // Hidden rows do not leave short pages behind a cursor: a page of 1 is the newest visible one.
        const first = await store.comments.listLatest({ limit: 1, tag: 't' });
        assert.deepEqual(ids(first), ['c-public']);
        assert.equal(first.cursor, undefined);
      }));

    test('a private vote moves no public totals; privateTotals adds up its scope\'s; lists filter by scope', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'file', id: (await store.files.recordSubmission({ ...hashesOf('v'), size: 1, at: 1 })).sha256 };
        const vote = (id: string, userId: string, verdict: 'harmless' | 'malicious', visibility?: string) => ({
          id,
          itemType: item.type,
          itemId: item.id,
          userId,
          verdict,
          value: verdict === 'harmless' ? 1 : -1,
          date: 5,
          ...(visibility ? { visibility } : {}),
        });
        assert.equal((await store.votes.cast(vote('v-a', 'alice', 'malicious', SOC))).visibility, SOC);
        await store.votes.cast(vote('v-c', 'carol', 'malicious', SOC));
        await store.votes.cast(vote('v-o', 'olga', 'harmless', OTHER));
        assert.equal((await store.votes.cast(vote('v-b', 'bob', 'harmless'))).visibility, '*');
        const file = await store.files.findByHash('sha256', item.id);
        assert.deepEqual(file?.totalVotes, { harmless: 1, malicious: 0 });
        assert.equal(file?.reputation, 1);
        assert.deepEqual(await store.votes.totals(item), { harmless: 1, malicious: 0, reputation: 1 });
        assert.deepEqual(await store.votes.privateTotals(item, [SOC]), { harmless: 0, malicious: 2, reputation: -2 });
        assert.deepEqual(await store.votes.privateTotals(item, [SOC, OTHER]), { harmless: 1, malicious: 2, reputation: -1 });
        assert.deepEqual(await store.votes.privateTotals(item, []), { harmless: 0, malicious: 0, reputation: 0 });
        assert.deepEqual((await store.votes.listForItem(item, { limit: 10 })).items.map((v) => v.id), ['v-b']);
        assert.deepEqual((await store.votes.listForItem(item, { limit: 10, scopes: [SOC] })).items.map((v) => v.id).sort(), ['v-a', 'v-b', 'v-c']);
        // One vote per user per item, whatever the scope.
        await assert.rejects(store.votes.cast(vote('v-a2', 'alice', 'harmless')), (e: unknown) => (e as { code?: string }).code === 'AlreadyExistsError');
        const ghost = { ...vote('v-ghost', 'alice', 'harmless', SOC), itemId: digest('sha256', 'never') };
        await assert.rejects(store.votes.cast(ghost), (e: unknown) => (e as { code?: string }).code === 'NotFoundError');
        assert.equal(await store.votes.get('v-ghost'), undefined);
      }));

    test('private submissions are counted per owner; the file object counts public ones, dated by the first public one', () =>
      withStore(async (store) => {
        const h = hashesOf('s');
        const first = await store.files.recordSubmission({ ...h, size: 1, at: 100, owner: SOC });
        assert.equal(first.timesSubmitted, 0);
        assert.deepEqual(first.names, []);
        await store.files.recordSubmission({ ...h, size: 1, at: 150, owner: SOC });
        await store.files.recordSubmission({ ...h, size: 1, at: 160, owner: OTHER });
        const pub = await store.files.recordSubmission({ ...h, size: 1, at: 200, name: 'pub.bin' });
        assert.equal(pub.timesSubmitted, 1);
        assert.equal(pub.firstSubmissionDate, 200);
        assert.equal(pub.lastSubmissionDate, 200);
        await store.files.recordSubmission({ ...h, size: 1, at: 300, owner: SOC });
        const file = await store.files.findByHash('sha256', h.sha256);
        assert.deepEqual([file?.timesSubmitted, file?.firstSubmissionDate, file?.lastSubmissionDate, file?.names], [1, 200, 200, ['pub.bin']]);
        assert.deepEqual(await store.files.privateSubmissions(h.sha256, [SOC]), { timesSubmitted: 3, firstSubmissionDate: 100, lastSubmissionDate: 300 });
        assert.deepEqual(await store.files.privateSubmissions(h.sha256, [SOC, OTHER]), { timesSubmitted: 4, firstSubmissionDate: 100, lastSubmissionDate: 300 });
        assert.equal(await store.files.privateSubmissions(h.sha256, ['user:bob']), undefined);
        assert.equal(await store.files.privateSubmissions(h.sha256, []), undefined);
      }));

    test('a private analysis does not move the file\'s last_analysis_*; latestPrivate finds it for its owner only', () =>
      withStore(async (store) => {
        const h = hashesOf('a');
        await store.files.recordSubmission({ ...h, size: 1, at: 1 });
        const complete = (analysisId: string, at: number, attributes: Record<string, unknown>) =>
          store.analyses.completeFileAnalysis({ analysisId, sha256: h.sha256, results: [], stats: emptyStats(), attributes, tags: [], at });
        await store.analyses.create({ id: 'pub', itemType: 'file', itemId: h.sha256, date: 10 });
        assert.equal(await complete('pub', 11, { magic: 'data' }), true);
        await store.access.setAnalysisOwner('priv', SOC);
        await store.analyses.create({ id: 'priv', itemType: 'file', itemId: h.sha256, date: 20 });
        assert.equal(await complete('priv', 21, { ssdeep: '3:x:y' }), true);
        const file = await store.files.findByHash('sha256', h.sha256);
        assert.equal(file?.lastAnalysisId, 'pub');
        assert.equal(file?.lastAnalysisDate, 11);
        assert.deepEqual(file?.attributes, { magic: 'data', ssdeep: '3:x:y' }, 'attributes describe the bytes and merge from every analysis');
        assert.equal((await store.analyses.latestPrivate(h.sha256, [SOC]))?.id, 'priv');
        assert.equal(await store.analyses.latestPrivate(h.sha256, [OTHER]), undefined);
        assert.equal(await store.analyses.latestPrivate(h.sha256, []), undefined);
      }));
  });
}
