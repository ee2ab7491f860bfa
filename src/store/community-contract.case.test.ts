/**
 * The Store contract for comments and votes, run by runStoreContract on every adapter. Not a test
 * file by itself.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { CommunityItem } from '../core/community-ids.js';
import { isAppError } from '../core/errors.js';
import type { Vote } from '../core/model/community.js';
import type { Page } from '../core/model/page.js';
import type { NewComment } from './ports/community-repositories.js';
import type { Store } from './ports/store.js';

const sha256 = (seed: string) => createHash('sha256').update(seed).digest('hex');

async function recordFile(store: Store, seed: string): Promise<string> {
  const digest = (algorithm: string) => createHash(algorithm).update(seed).digest('hex');
  const file = await store.files.recordSubmission({ md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256'), size: 1, at: 1 });
  return file.sha256;
}

function comment(item: CommunityItem, id: string, date: number, tags: string[] = [], authorId = 'alice'): NewComment {
  return { id, itemType: item.type, itemId: item.id, authorId, date, text: `text of ${id} ${tags.map((t) => `#${t}`).join(' ')}`, tags };
}

function vote(item: CommunityItem, userId: string, verdict: 'harmless' | 'malicious', id = `v-${item.id}-${userId}`, date = 100): Vote {
  return { id, itemType: item.type, itemId: item.id, userId, verdict, value: verdict === 'harmless' ? 1 : -1, date, visibility: '*' };
}

/** Every page's ids, following cursors to the end. */
async function allPages<T extends { id: string }>(fetch: (cursor?: string) => Promise<Page<T>>): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    ids.push(...page.items.map((i) => i.id));
    sizes.push(page.items.length);
    cursor = page.cursor;
    if (cursor !== undefined) assert.match(cursor, /^[A-Za-z0-9_-]+$/, 'cursor is base64url');
  } while (cursor !== undefined);
  return { ids, sizes };
}

const isCode = (code: string) => (e: unknown) => isAppError(e) && e.code === code;

export function runCommunityStoreContract(withStore: (use: (store: Store) => Promise<void>) => Promise<void>): void {
  describe('comments', () => {
    test('create and get keep text, tags and zero votes; a taken id is AlreadyExistsError', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'file', id: await recordFile(store, 'c1') };
        const input: NewComment = { ...comment(item, 'f-x-00000001', 50, ['phishing', 'émotet']), text: '<b>#Phishing</b>\n#émotet' };
        const created = await store.comments.create(input);
        const expected = { ...input, votes: { positive: 0, negative: 0, abuse: 0 }, visibility: '*' };
        assert.deepEqual(created, expected);
        assert.deepEqual(await store.comments.get(input.id), expected);
        assert.equal(await store.comments.get('missing'), undefined);
        await assert.rejects(store.comments.create(input), isCode('AlreadyExistsError'));
      }));

    test('listForItem pages one item\'s comments newest first, ties broken by id', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'domain', id: 'example.com' };
        const other: CommunityItem = { type: 'domain', id: 'example.org' };
        const sameIdOtherType: CommunityItem = { type: 'url', id: 'example.com' };
        const dates = [100, 200, 200, 300, 300, 300, 400];
        for (const [i, date] of dates.entries()) await store.comments.create(comment(item, `d-example.com-${i}`, date));
        await store.comments.create(comment(other, 'd-example.org-0', 999));
        await store.comments.create(comment(sameIdOtherType, 'u-example.com-0', 999));
        const { ids, sizes } = await allPages((cursor) => store.comments.listForItem(item, { limit: 3, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(sizes, [3, 3, 1]);
        assert.deepEqual(ids, [6, 5, 4, 3, 2, 1, 0].map((i) => `d-example.com-${i}`));
        const exact = await store.comments.listForItem(item, { limit: 7 });
        assert.equal(exact.cursor, undefined, 'no cursor when the last page is exactly full');
        assert.deepEqual(await store.comments.listForItem({ type: 'ip_address', id: '10.0.0.1' }, { limit: 3 }), { items: [] });
      }));

    test('listLatest pages all comments newest first; with a tag, only that tag\'s, also paged', () =>
      withStore(async (store) => {
        const a: CommunityItem = { type: 'ip_address', id: '192.0.2.1' };
        const b: CommunityItem = { type: 'url', id: sha256('https://example.com/') };
        await store.comments.create(comment(a, 'i-1', 10, ['phishing']));
        await store.comments.create(comment(b, 'u-2', 20, ['malware']));
        await store.comments.create(comment(a, 'i-3', 30, ['phishing', 'malware']));
        await store.comments.create(comment(b, 'u-4', 30, ['phishing']));
        await store.comments.create(comment(a, 'i-5', 50));
        await store.comments.create(comment(b, 'u-6', 60, ['phishing']));

        const all = await allPages((cursor) => store.comments.listLatest({ limit: 4, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(all.ids, ['u-6', 'i-5', 'u-4', 'i-3', 'u-2', 'i-1']);
        assert.deepEqual(all.sizes, [4, 2]);

        const phishing = await allPages((cursor) => store.comments.listLatest({ limit: 2, tag: 'phishing', ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(phishing.ids, ['u-6', 'u-4', 'i-3', 'i-1']);
        assert.deepEqual(phishing.sizes, [2, 2]);
        const malware = await store.comments.listLatest({ limit: 10, tag: 'malware' });
        assert.deepEqual(malware.items.map((c) => c.id), ['i-3', 'u-2']);
        assert.deepEqual(malware.items[0]!.tags, ['phishing', 'malware'], 'full comments come back, all their tags');
        assert.deepEqual(await store.comments.listLatest({ limit: 10, tag: 'absent' }), { items: [] });
      }));

    test('a malformed cursor is InvalidArgumentError', () =>
      withStore(async (store) => {
        await assert.rejects(store.comments.listLatest({ limit: 3, cursor: 'nope' }), isCode('InvalidArgumentError'));
        await assert.rejects(store.comments.listLatest({ limit: 3, tag: 'x', cursor: 'nope' }), isCode('InvalidArgumentError'));
        await assert.rejects(store.comments.listForItem({ type: 'domain', id: 'a.b' }, { limit: 3, cursor: 'WzEsMl0' }), isCode('InvalidArgumentError'));
      }));

    test('delete removes the comment with its tags and votes, once', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'domain', id: 'gone.example' };
        await store.comments.create(comment(item, 'd-gone', 10, ['phishing']));
        await store.comments.create(comment(item, 'd-kept', 5, ['phishing']));
        await store.comments.vote('d-gone', 'bob', 'positive', 11);
        assert.equal(await store.comments.delete('d-gone'), true);
        assert.equal(await store.comments.get('d-gone'), undefined);
        assert.deepEqual((await store.comments.listLatest({ limit: 10, tag: 'phishing' })).items.map((c) => c.id), ['d-kept']);
        assert.equal(await store.comments.delete('d-gone'), false);
        // The id can be used again, and carries no votes or tags of the deleted comment.
        const again = await store.comments.create(comment(item, 'd-gone', 12));
        assert.deepEqual(again.votes, { positive: 0, negative: 0, abuse: 0 });
        assert.equal(await store.comments.vote('d-gone', 'carol', 'abuse', 13).then((v) => v?.positive), 0);
      }));

    test('comment votes: one per user, a later verdict replaces the earlier; unknown comment is undefined', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'domain', id: 'votes.example' };
        await store.comments.create(comment(item, 'd-v', 10));
        assert.deepEqual(await store.comments.vote('d-v', 'bob', 'positive', 11), { positive: 1, negative: 0, abuse: 0 });
        assert.deepEqual(await store.comments.vote('d-v', 'carol', 'abuse', 12), { positive: 1, negative: 0, abuse: 1 });
        assert.deepEqual(await store.comments.vote('d-v', 'bob', 'positive', 13), { positive: 1, negative: 0, abuse: 1 }, 'same verdict again');
        assert.deepEqual(await store.comments.vote('d-v', 'bob', 'negative', 14), { positive: 0, negative: 1, abuse: 1 }, 'changed verdict');
        assert.deepEqual((await store.comments.get('d-v'))?.votes, { positive: 0, negative: 1, abuse: 1 });
        assert.equal(await store.comments.vote('missing', 'bob', 'positive', 15), undefined);
      }));

    test('concurrent comment votes by different users are all counted', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'domain', id: 'busy.example' };
        await store.comments.create(comment(item, 'd-busy', 10));
        const verdicts = ['positive', 'negative', 'abuse'] as const;
        await Promise.all(Array.from({ length: 15 }, (_, i) => store.comments.vote('d-busy', `user-${i}`, verdicts[i % 3]!, 20)));
        assert.deepEqual((await store.comments.get('d-busy'))?.votes, { positive: 5, negative: 5, abuse: 5 });
      }));
  });

  describe('votes', () => {
    test('a vote on a file moves its total_votes and reputation; a second by the same user is AlreadyExistsError', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'file', id: await recordFile(store, 'voted') };
        const first = vote(item, 'alice', 'malicious', 'f-1');
        assert.deepEqual(await store.votes.cast(first), first);
        assert.deepEqual(await store.votes.get('f-1'), first);
        await store.votes.cast(vote(item, 'bob', 'malicious', 'f-2'));
        await store.votes.cast(vote(item, 'carol', 'harmless', 'f-3'));
        await assert.rejects(store.votes.cast(vote(item, 'alice', 'harmless', 'f-4')), isCode('AlreadyExistsError'));
        const file = await store.files.findByHash('sha256', item.id);
        assert.deepEqual(file?.totalVotes, { harmless: 1, malicious: 2 });
        assert.equal(file?.reputation, -1);
        assert.deepEqual(await store.votes.totals(item), { harmless: 1, malicious: 2, reputation: -1 });
        assert.equal(await store.votes.get('f-4'), undefined, 'the refused vote left nothing behind');
      }));

    test('a vote on a file that is not recorded is NotFoundError and stores nothing', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'file', id: sha256('never submitted') };
        await assert.rejects(store.votes.cast(vote(item, 'alice', 'harmless', 'ghost')), isCode('NotFoundError'));
        assert.equal(await store.votes.get('ghost'), undefined);
        assert.deepEqual(await store.votes.totals(item), { harmless: 0, malicious: 0, reputation: 0 });
      }));

    test('votes on URLs, domains and IPs keep per-item totals', () =>
      withStore(async (store) => {
        const domain: CommunityItem = { type: 'domain', id: 'example.com' };
        const ip: CommunityItem = { type: 'ip_address', id: '192.0.2.7' };
        await store.votes.cast(vote(domain, 'alice', 'harmless', 'd-1'));
        await store.votes.cast(vote(domain, 'bob', 'harmless', 'd-2'));
        await store.votes.cast(vote(domain, 'carol', 'malicious', 'd-3'));
        await store.votes.cast(vote(ip, 'alice', 'malicious', 'i-1'));
        await assert.rejects(store.votes.cast(vote(domain, 'bob', 'malicious', 'd-4')), isCode('AlreadyExistsError'));
        assert.deepEqual(await store.votes.totals(domain), { harmless: 2, malicious: 1, reputation: 1 });
        assert.deepEqual(await store.votes.totals(ip), { harmless: 0, malicious: 1, reputation: -1 });
        assert.deepEqual(await store.votes.totals({ type: 'url', id: sha256('x') }), { harmless: 0, malicious: 0, reputation: 0 });
      }));

    test('20 concurrent votes by one user on one file: exactly one is stored and counted', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'file', id: await recordFile(store, 'race') };
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.votes.cast(vote(item, 'alice', i % 2 ? 'harmless' : 'malicious', `race-${i}`))),
        );
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const refused = outcomes.filter((o) => o.status === 'rejected');
        assert.equal(won.length, 1);
        assert.ok(refused.every((o) => isCode('AlreadyExistsError')(o.reason)), 'every other attempt is AlreadyExistsError');
        const stored = await store.votes.listForItem(item, { limit: 40 });
        assert.equal(stored.items.length, 1);
        const verdict = stored.items[0]!.verdict;
        const file = await store.files.findByHash('sha256', item.id);
        assert.deepEqual(file?.totalVotes, verdict === 'harmless' ? { harmless: 1, malicious: 0 } : { harmless: 0, malicious: 1 });
        assert.equal(file?.reputation, verdict === 'harmless' ? 1 : -1);
      }));

    test('concurrent votes by different users on one file are all counted', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'file', id: await recordFile(store, 'crowd') };
        const domain: CommunityItem = { type: 'domain', id: 'crowd.example' };
        await Promise.all(
          Array.from({ length: 12 }, (_, i) => [
            store.votes.cast(vote(item, `user-${i}`, i < 8 ? 'malicious' : 'harmless', `crowd-f-${i}`)),
            store.votes.cast(vote(domain, `user-${i}`, i < 8 ? 'malicious' : 'harmless', `crowd-d-${i}`)),
          ]).flat(),
        );
        const file = await store.files.findByHash('sha256', item.id);
        assert.deepEqual(file?.totalVotes, { harmless: 4, malicious: 8 });
        assert.equal(file?.reputation, -4);
        assert.deepEqual(await store.votes.totals(domain), { harmless: 4, malicious: 8, reputation: -4 });
      }));

    test('listForItem pages an item\'s votes newest first', () =>
      withStore(async (store) => {
        const item: CommunityItem = { type: 'url', id: sha256('https://paged.example/') };
        for (let i = 0; i < 5; i++) await store.votes.cast(vote(item, `user-${i}`, 'harmless', `u-v${i}`, 100 + i));
        await store.votes.cast(vote({ type: 'url', id: sha256('other') }, 'user-0', 'harmless', 'u-other', 999));
        const { ids, sizes } = await allPages((cursor) => store.votes.listForItem(item, { limit: 2, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(ids, ['u-v4', 'u-v3', 'u-v2', 'u-v1', 'u-v0']);
        assert.deepEqual(sizes, [2, 2, 1]);
      }));
  });
}
