/** Private submissions through the real services on SQLite: who sees a private file and its analyses, and that everyone else gets NotFoundError. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { isAppError, type ErrorCode } from '../../core/errors.js';
import type { Unpacker } from '../../core/unpacker.js';
import type { JobQueue } from '../../queue/queue.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { createServices } from '../create-services.js';
import { HashPool } from '../intake/hash-pool.js';
import { createIntake } from '../intake/intake.js';
import { TempBlobStore } from '../intake/testing/temp-blob-store.js';
import type { Principal } from '../principal.js';
import type { AppServices, UploadFields } from '../services.js';
import { addMember, authenticate, createGroup, createUser, type AccountDeps } from './index.js';

const tiers = { public: { privileges: [] }, premium: { privileges: ['download', 'private_scanning'] } };

const rejectsWith = (code: ErrorCode) => (e: unknown) => {
  assert.ok(isAppError(e), String(e));
  assert.equal(e.code, code, e.message);
  return true;
};

describe('private scanning', () => {
  let store: Store;
  let blobs: TempBlobStore;
  let services: AppServices;
  let deps: AccountDeps;
  const who: Record<string, Principal> = {};

  let hashPool: HashPool;
  before(() => {
    hashPool = new HashPool();
  });
  after(() => hashPool.close());

  /** `content` and its hashes, to submit. */
  function received(content: string) {
    const digest = (algorithm: string) => createHash(algorithm).update(content).digest('hex');
    return { md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256'), content };
  }

  /** Submits as the upload route does: the form's file part goes through the real receiver. */
  function submit(upload: { content: string }, { principal, ...fields }: UploadFields & { principal: Principal }) {
    return services.files.submit(
      async (receive) => {
        await receive(Readable.from([Buffer.from(upload.content)]));
        return fields;
      },
      { principal, maxBytes: 1024 * 1024 },
    );
  }

  beforeEach(async () => {
    store = (await openSqlite(':memory:')).store;
    await store.migrate();
    blobs = await TempBlobStore.create('assay-private-');
    deps = { store, now: () => 1_700_000_000_000, tiers };
    // Jobs are not run here; only their analyses' visibility matters.
    const queue = { enqueue: async () => 'job', onEnqueued: () => {} } as unknown as JobQueue;
    const intake = createIntake({
      store,
      blobs,
      queue,
      hashPool,
      unpacker: { status: () => ({ ready: false, detail: 'not in this test' }) } as unknown as Unpacker,
      unpackLimits: { maxTotalBytes: 1024, maxEntries: 4 },
      workDir: path.join(blobs.root, 'work'),
      now: deps.now,
    });
    services = createServices({
      store,
      blobs,
      queue,
      intake,
      uploadUrlTtlMs: 60_000,
      now: deps.now,
      isReady: () => true,
      tiers,
    });
    await createGroup(deps, { name: 'soc' });
    for (const [name, input] of Object.entries({
      alice: { tier: 'premium', group: 'soc' },
      carol: { group: 'soc' },
      dave: { privileges: ['private_scanning', 'download'] },
      bob: { privileges: ['download'] },
      root: { admin: true },
    })) {
      who[name] = await authenticate(deps, (await createUser(deps, { name, ...input })).apiKey);
    }
  });
  afterEach(async () => {
    await store.close();
    await blobs.destroy();
  });

  test("a private file and its analysis: the submitter's group sees them, nobody else does, admins included", async () => {
    const upload = await received('quarterly plans');
    const { analysisId } = await submit(upload, { principal: who.alice!, name: 'q3-acquisition.pdf', private: true });

    for (const member of [who.alice!, who.carol!]) {
      assert.equal((await services.files.get(upload.sha256, member)).sha256, upload.sha256);
      assert.equal((await services.analyses.get(analysisId, member)).analysis.id, analysisId);
      assert.deepEqual((await services.files.listAnalyses(upload.md5, member, { limit: 10 })).items.map((a) => a.id), [analysisId]);
    }
    assert.deepEqual((await services.files.get(upload.sha256, who.alice!)).names, [], "a private submission's name is not kept");

    for (const outsider of [who.bob!, who.dave!, who.root!]) {
      await assert.rejects(services.files.get(upload.sha256, outsider), rejectsWith('NotFoundError'));
      await assert.rejects(services.files.get(upload.sha1, outsider), rejectsWith('NotFoundError'));
      await assert.rejects(services.analyses.get(analysisId, outsider), rejectsWith('NotFoundError'));
      await assert.rejects(services.files.listAnalyses(upload.sha256, outsider, { limit: 10 }), rejectsWith('NotFoundError'));
      await assert.rejects(services.files.reanalyse(upload.sha256, outsider), rejectsWith('NotFoundError'));
      await assert.rejects(services.files.download(upload.sha256, outsider), rejectsWith('NotFoundError'));
      await assert.rejects(services.community.addComment('files', upload.sha256, 'seen it #leak', outsider), rejectsWith('NotFoundError'));
    }
    // The error is word for word the one for a file that does not exist.
    const messageOf = (hash: string) => services.files.get(hash, who.bob!).then(() => assert.fail('found'), (e: Error) => e.message);
    assert.equal(await messageOf(upload.sha256), (await messageOf('0'.repeat(64))).replace('0'.repeat(64), upload.sha256));
  });

  test('comments and votes on a private file are hidden from outsiders everywhere', async () => {
    const upload = await received('private comment target');
    await submit(upload, { principal: who.alice!, private: true });
    const comment = await services.community.addComment('files', upload.sha256, 'internal note #secretproject', who.alice!);
    const vote = await services.community.addVote('files', upload.sha256, 'malicious', who.alice!);
    const latest = (p: typeof who.alice) => services.community.latestComments({ limit: 10, filter: 'tag:secretproject' }, p!);
    assert.deepEqual((await latest(who.alice)).items.map((c) => c.id), [comment.id]);
    assert.equal((await services.community.getVote(vote.id, who.alice!)).id, vote.id);
    for (const outsider of [who.bob!, who.dave!]) {
      const page = await latest(outsider);
      assert.deepEqual(page.items, []);
      assert.equal(page.cursor, undefined, 'no empty page with a cursor');
      await assert.rejects(services.community.getComment(comment.id, outsider), rejectsWith('NotFoundError'));
      await assert.rejects(services.community.getVote(vote.id, outsider), rejectsWith('NotFoundError'));
      await assert.rejects(services.community.voteOnComment(comment.id, 'abuse', outsider), rejectsWith('NotFoundError'));
    }
  });

  test('without a group the submitter alone sees it', async () => {
    const upload = await received('dave only');
    const { analysisId } = await submit(upload, { principal: who.dave!, private: true });
    assert.equal((await services.analyses.get(analysisId, who.dave!)).analysis.id, analysisId);
    const { stream } = await services.files.download(upload.sha256, who.dave!);
    stream.destroy();
    for (const other of [who.alice!, who.bob!]) await assert.rejects(services.files.get(upload.sha256, other), rejectsWith('NotFoundError'));
  });

  test('private=true without private_scanning: ForbiddenError, nothing recorded', async () => {
    const upload = await received('not allowed');
    await assert.rejects(submit(upload, { principal: who.carol!, private: true }), rejectsWith('ForbiddenError'));
    assert.equal(await store.files.findByHash('sha256', upload.sha256), undefined);
    assert.deepEqual(await store.access.fileOwners(upload.sha256), []);
  });

  test("a group member's rescan of a private file stays private to the group", async () => {
    const upload = await received('rescan me');
    await submit(upload, { principal: who.alice!, private: true });
    const { analysisId } = await services.files.reanalyse(upload.sha256, who.carol!);
    assert.equal(await store.access.analysisOwner(analysisId), 'group:soc');
    assert.equal((await services.analyses.get(analysisId, who.alice!)).analysis.id, analysisId);
  });

  test('once submitted publicly the file is public, but the private analyses stay private', async () => {
    const content = 'later public';
    const first = await submit(await received(content), { principal: who.alice!, private: true });
    const again = await submit(await received(content), { principal: who.bob!, name: 'public.txt' });
    const sha256 = createHash('sha256').update(content).digest('hex');
    const seenByBob = await services.files.get(sha256, who.bob!);
    assert.deepEqual(seenByBob.names, ['public.txt']);
    assert.equal(seenByBob.timesSubmitted, 1, 'the private submission is counted for its group only');
    assert.equal((await services.files.get(sha256, who.carol!)).timesSubmitted, 2, 'the group counts both');
    await assert.rejects(services.analyses.get(first.analysisId, who.bob!), rejectsWith('NotFoundError'));
    assert.equal((await services.analyses.get(again.analysisId, who.bob!)).analysis.id, again.analysisId);
    assert.deepEqual((await services.files.listAnalyses(sha256, who.bob!, { limit: 10 })).items.map((a) => a.id), [again.analysisId]);
    assert.equal((await services.files.listAnalyses(sha256, who.carol!, { limit: 10 })).items.length, 2, 'the group sees both');
    // A rescan of a public file is public.
    const rescan = await services.files.reanalyse(sha256, who.alice!);
    assert.equal(await store.access.analysisOwner(rescan.analysisId), undefined);
  });

  test('files recorded before private scanning (no access rows) stay public', async () => {
    const content = 'legacy';
    const digest = (algorithm: string) => createHash(algorithm).update(content).digest('hex');
    await store.files.recordSubmission({ md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256'), size: content.length, at: 1 });
    assert.equal((await services.files.get(digest('sha256'), who.bob!)).size, content.length);
  });
});
