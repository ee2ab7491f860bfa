// The intake over a real SQLite store, blob directory, hash workers and 7zz: every way in ends in one
// file, one analysis and an access grant, and nothing received stays staged when something fails.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { isAppError, type ErrorCode } from '../../core/errors.js';
import { DbJobQueue } from '../../queue/db/db-job-queue.js';
import type { Job, JobQueue } from '../../queue/queue.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { SevenZipUnpacker } from '../../unpackers/seven-zip/seven-zip-unpacker.js';
import { EVERYONE } from '../accounts/visibility.js';
import { createFileService } from '../file-service.js';
import type { Principal } from '../principal.js';
import type { UploadFields } from '../services.js';
import { HashPool } from './hash-pool.js';
import { createIntake, type FileIntake } from './intake.js';
import { receiveForm } from './receive-form.js';
import { TempBlobStore } from './testing/temp-blob-store.js';

const run = promisify(execFile);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const rejectsWith = (code: ErrorCode) => (e: unknown) => {
  assert.ok(isAppError(e), String(e));
  assert.equal(e.code, code, e.message);
  return true;
};
const principal = (userId: string, privileges: string[] = []): Principal => ({ userId, name: userId, isAdmin: false, tier: 'premium', privileges, groupId: null });

describe('intake', () => {
  let hashPool: HashPool;
  const unpacker = new SevenZipUnpacker();
  let store: Store;
  let blobs: TempBlobStore;
  let work: string;
  let jobs: Array<Pick<Job, 'kind' | 'payload'>>;
  let intake: FileIntake;

  before(async () => {
    hashPool = new HashPool();
    assert.equal((await unpacker.start()).ready, true, '7zz (Debian 7zip) is needed');
  });
  after(() => hashPool.close());

  beforeEach(async () => {
    store = (await openSqlite(':memory:')).store;
    await store.migrate();
    blobs = await TempBlobStore.create('assay-intake-');
    work = path.join(blobs.root, 'work');
    jobs = [];
    const queue = { enqueue: async (kind: string, payload: unknown) => (jobs.push({ kind, payload }), `job-${jobs.length}`) } as unknown as JobQueue;
    intake = createIntake({ store, blobs, queue, hashPool, unpacker, unpackLimits: { maxTotalBytes: 1024 * 1024, maxEntries: 8 }, workDir: work, now: () => 1_700_000_000_000 });
  });
  afterEach(async () => {
    await store.close();
    await blobs.destroy();
  });

  /** The file, its analyses and who may see them, as the store has them. */
  async function recorded(content: string | Buffer) {
    const hash = sha256(content);
    const file = await store.files.findByHash('sha256', hash);
    const analyses = (await store.analyses.listForItem(hash, { limit: 10 })).items;
    return {
      file,
      analyses,
      owners: await store.access.fileOwners(hash),
      analysisOwners: await Promise.all(analyses.map((a) => store.access.analysisOwner(a.id))),
      stored: await blobs.has(hash),
    };
  }

  test('an upload: one file under its name, one analysis with its job, public access, the bytes stored', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 7);
    const staged = await intake.fromStream(Readable.from([content]), { maxBytes: content.length });
    assert.equal(staged.sha256, sha256(content));
    assert.equal(staged.size, content.length);
    const { analysisId, file } = await intake.submitFile(staged, EVERYONE, { kind: 'upload', name: 'C:\\temp\\setup.exe' });
    const found = await recorded(content);
    assert.deepEqual(found.file?.names, ['setup.exe']);
    assert.equal(file.sha256, sha256(content));
    assert.deepEqual(found.analyses.map((a) => a.id), [analysisId]);
    assert.deepEqual(found.owners, [EVERYONE]);
    assert.deepEqual(found.analysisOwners, [undefined]);
    assert.deepEqual(jobs, [{ kind: 'analyse-file', payload: { analysisId, sha256: sha256(content) } }]);
    assert.equal(found.stored, true);
    assert.deepEqual(await blobs.staged(), []);
  });

  test('a rescan waits behind uploads: a real queue hands out both uploads before it', async () => {
    const backend = await openSqlite(':memory:');
    await backend.store.migrate();
    try {
      const queue = new DbJobQueue(backend.db);
      const own = createIntake({ store: backend.store, blobs, queue, hashPool, unpacker, unpackLimits: { maxTotalBytes: 1024, maxEntries: 1 }, workDir: work, now: () => 1_700_000_000_000 });
      const first = await own.submitFile(await own.fromBytes(Buffer.from('first upload')), EVERYONE, { kind: 'upload' });
      const rescan = await own.analyseAgain(first.file, EVERYONE);
      const second = await own.submitFile(await own.fromBytes(Buffer.from('second upload')), EVERYONE, { kind: 'upload' });
      const order: unknown[] = [];
      for (let job = await queue.claim('w', 1000); job; job = await queue.claim('w', 1000)) order.push((job.payload as { analysisId: string }).analysisId);
      assert.deepEqual(order, [first.analysisId, second.analysisId, rescan.analysisId]);
    } finally {
      await backend.store.close();
    }
  });

  test('a local file is moved in, not copied, and recorded once', async () => {
    await mkdir(work, { recursive: true });
    const local = path.join(work, 'member.txt');
    await writeFile(local, 'inside an archive');
    const staged = await intake.fromPath(local);
    assert.deepEqual(await readdir(work), [], 'the file was taken over');
    await intake.submitFile(staged, EVERYONE, { kind: 'archive-member', parentSha256: 'f'.repeat(64), name: 'dir/member.txt' });
    const found = await recorded('inside an archive');
    assert.deepEqual(found.file?.names, ['member.txt']);
    assert.equal(found.analyses.length, 1);
    assert.deepEqual(found.owners, [EVERYONE]);
    assert.equal(jobs.length, 1);
  });

  test('a downloaded body: one public file named after the URL, one analysis left for the caller to run', async () => {
    const body = Buffer.from('<html>served by a site</html>');
    const { analysisId, sha256: hash } = await intake.submitDownload(body, { urlId: 'u'.repeat(64), name: 'index.html' });
    assert.equal(hash, sha256(body));
    const found = await recorded(body);
    assert.deepEqual(found.file?.names, ['index.html']);
    assert.deepEqual(found.analyses.map((a) => [a.id, a.status]), [[analysisId, 'queued']]);
    assert.deepEqual(found.owners, [EVERYONE]);
    assert.deepEqual(jobs, [], 'the URL job analyses the body inline');
    assert.equal(found.stored, true);
    assert.deepEqual(await blobs.staged(), []);
  });

  test('a private submission: access and analysis belong to the owner, and the name is not kept', async () => {
    const staged = await intake.fromBytes(Buffer.from('private bytes'));
    await intake.submitFile(staged, 'user:u1', { kind: 'upload', name: 'secret.doc' });
    const found = await recorded('private bytes');
    assert.deepEqual(found.owners, ['user:u1']);
    assert.deepEqual(found.analysisOwners, ['user:u1']);
    assert.deepEqual(found.file?.names, []);
  });

  test('a staged file is spent once submitted: a second submit throws, discarding it is harmless', async () => {
    const staged = await intake.fromBytes(Buffer.from('once'));
    await intake.submitFile(staged, EVERYONE, { kind: 'upload' });
    await assert.rejects(intake.submitFile(staged, EVERYONE, { kind: 'upload' }), /already submitted or discarded/);
    await intake.discard(staged);
    assert.equal((await recorded('once')).stored, true);
    assert.equal((await recorded('once')).analyses.length, 1);
  });

  describe('leaves nothing staged', () => {
    test('over maxBytes (a 413)', async () => {
      await assert.rejects(intake.fromStream(Readable.from([randomBytes(5000)]), { maxBytes: 4096 }), rejectsWith('PayloadTooLargeError'));
      assert.deepEqual(await blobs.staged(), []);
    });

    test('a body that fails or is aborted midway', async () => {
      const failing = new PassThrough();
      const receiving = intake.fromStream(failing, { maxBytes: 10_000_000 });
      failing.write(randomBytes(2 * 1024 * 1024));
      failing.destroy(new Error('connection reset by peer'));
      await assert.rejects(receiving, rejectsWith('BadRequestError'));
      const aborted = new PassThrough();
      const receivingAborted = intake.fromStream(aborted, { maxBytes: 10_000_000 });
      aborted.write(randomBytes(1024 * 1024));
      aborted.destroy();
      await assert.rejects(receivingAborted, rejectsWith('BadRequestError'));
      assert.deepEqual(await blobs.staged(), []);
    });

    test('a form refused after its file was received, and a submission that fails', async () => {
      const readForm = async (receive: (body: Readable) => Promise<void>) => {
        await receive(Readable.from([Buffer.from('received, then refused')]));
        throw new Error('malformed part after the file');
      };
      await assert.rejects(receiveForm(intake, readForm, 1024, async () => 'accepted'), /malformed part/);
      assert.deepEqual(await blobs.staged(), []);
      const readGood = async (receive: (body: Readable) => Promise<void>) => void (await receive(Readable.from([Buffer.from('refused by the use case')])));
      await assert.rejects(
        receiveForm(intake, readGood, 1024, async () => {
          throw new Error('database is down');
        }),
        /database is down/,
      );
      assert.deepEqual(await blobs.staged(), []);
      assert.equal((await recorded('refused by the use case')).file, undefined);
    });

    test('a commit that fails inside submitFile', async () => {
      const staged = await intake.fromBytes(Buffer.from('cannot commit'));
      const commit = blobs.commit.bind(blobs);
      blobs.commit = async () => {
        throw new Error('disk gone');
      };
      try {
        await assert.rejects(intake.submitFile(staged, EVERYONE, { kind: 'upload' }), /disk gone/);
      } finally {
        blobs.commit = commit;
      }
      assert.deepEqual(await blobs.staged(), []);
      assert.equal((await recorded('cannot commit')).file, undefined);
    });
  });

  describe('password-protected ZIPs through files.submit', () => {
    let zips: string;
    before(async () => {
      zips = await mkdtemp(path.join(process.env.TMPDIR ?? '/tmp', 'assay-intake-zip-'));
    });
    after(() => rm(zips, { recursive: true, force: true }));

    async function makeZip(name: string, files: Record<string, string>): Promise<Buffer> {
      const dir = path.join(zips, name.replace(/\W/g, '_'));
      await mkdir(dir);
      for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content);
      await run('7zz', ['a', '-bd', '-y', '-tzip', '-pinfected', '-mem=AES256', name, ...Object.keys(files)], { cwd: dir });
      return readFile(path.join(dir, name));
    }

    const submit = (content: Buffer, fields: UploadFields, who: Principal) =>
      createFileService({ store, blobs, intake }).submit(
        async (receive) => {
          await receive(Readable.from([content]));
          return fields;
        },
        { principal: who, maxBytes: 1024 * 1024 },
      );

    test('a private ZIP: each member is one private file with one private analysis; the ZIP is kept, private, and analysed too', async () => {
      const zip = await makeZip('private.zip', { 'a.txt': 'first member', 'b.txt': 'second member' });
      const alice = principal('alice', ['private_scanning']);
      const { analysisId } = await submit(zip, { password: 'infected', private: true, name: 'private.zip' }, alice);
      for (const member of ['first member', 'second member']) {
        const found = await recorded(member);
        assert.deepEqual(found.owners, ['user:alice'], `${member} is private`);
        assert.deepEqual(found.analysisOwners, ['user:alice']);
        assert.equal(found.analyses.length, 1);
        assert.deepEqual(found.file?.names, []);
      }
      assert.equal((await recorded('first member')).analyses[0]!.id, analysisId, "the first member's analysis is returned");
      const container = await recorded(zip);
      assert.deepEqual(container.owners, ['user:alice'], 'the ZIP is private too');
      assert.deepEqual(container.analysisOwners, ['user:alice']);
      assert.equal(container.analyses.length, 1);
      assert.equal(await blobs.has(sha256(zip)), true);
      assert.equal(jobs.length, 3, 'two members and the ZIP');
      // The ZIP's bundled_files edges, one per member.
      const edges = await store.relations.list({ type: 'file', id: sha256(zip) }, 'bundled_files', { limit: 10 });
      assert.deepEqual(edges.items.map((e) => e.toId).sort(), [sha256('first member'), sha256('second member')].sort());
      assert.deepEqual(await blobs.staged(), []);
      assert.deepEqual(await readdir(work), [], 'the unpacking directory is gone');
    });

    test('a public ZIP: members are public under their names; a wrong password stores nothing', async () => {
      const zip = await makeZip('public.zip', { 'c.txt': 'public member' });
      await assert.rejects(submit(zip, { password: 'wrong' }, principal('bob')), rejectsWith('BadRequestError'));
      assert.equal((await recorded('public member')).file, undefined);
      assert.deepEqual(await blobs.staged(), []);
      await submit(zip, { password: 'infected' }, principal('bob'));
      const found = await recorded('public member');
      assert.deepEqual(found.owners, [EVERYONE]);
      assert.deepEqual(found.file?.names, ['c.txt']);
      assert.deepEqual(await blobs.staged(), []);
      assert.deepEqual(await readdir(work), []);
    });
  });
});
