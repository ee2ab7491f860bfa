/**
 * The BlobStore contract: every blob adapter runs this suite unchanged, through the port only (no
 * paths into the store). Not a test file by itself; an adapter's test calls `runBlobStoreContract`.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer, text } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { isAppError } from '../core/errors.js';
import type { BlobStore, StagedBlob } from './ports/blob-store.js';

export interface BlobStoreHarness {
  /** An empty store. */
  store: BlobStore;
  /** Another client of the same storage, as a second process would open it. */
  reopen(): Promise<BlobStore>;
  dispose(): Promise<void>;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function runBlobStoreContract(name: string, createHarness: () => Promise<BlobStoreHarness>): void {
  async function withStore(use: (store: BlobStore, harness: BlobStoreHarness) => Promise<void>): Promise<void> {
    const harness = await createHarness();
    try {
      await use(harness.store, harness);
    } finally {
      await harness.dispose();
    }
  }
  const write = (store: BlobStore, staged: StagedBlob, content: string | Buffer) => store.withStagedFile(staged, (file) => writeFile(file, content));
  async function put(store: BlobStore, content: string | Buffer): Promise<string> {
    const staged = await store.stage();
    await write(store, staged, content);
    const hash = sha256(content);
    await store.commit(staged, hash);
    return hash;
  }

  describe(`BlobStore contract: ${name}`, () => {
    test('stage gives a fresh, empty file behind an opaque handle', () =>
      withStore(async (store) => {
        const a = await store.stage();
        const b = await store.stage();
        assert.notEqual(a.id, b.id);
        assert.deepEqual(Object.keys(a), ['id'], 'no path is handed out');
        assert.equal(a.id.includes('/'), false);
        const [pathA, pathB] = await Promise.all([store.withStagedFile(a, async (f) => f), store.withStagedFile(b, async (f) => f)]);
        assert.notEqual(pathA, pathB);
        assert.equal((await store.withStagedFile(a, (file) => stat(file))).size, 0);
        await store.discard(a);
        await store.discard(b);
      }));

    test('a committed blob is there for every client, byte for byte', () =>
      withStore(async (store, harness) => {
        const content = randomBytes(100_000);
        const hash = sha256(content);
        assert.equal(await store.has(hash), false);
        const staged = await store.stage();
        await write(store, staged, content);
        await store.commit(staged, hash);
        assert.equal(await store.has(hash), true);
        const other = await harness.reopen();
        assert.equal(await other.has(hash), true);
        const { stream, size } = await other.openRead(hash);
        assert.equal(size, content.length);
        assert.deepEqual(await buffer(stream), content);
      }));

    test('a file larger than a multipart part arrives whole', () =>
      withStore(async (store) => {
        const content = randomBytes(12 * 1024 * 1024 + 12_345);
        const hash = await put(store, content);
        const { stream, size } = await store.openRead(hash);
        assert.equal(size, content.length);
        assert.equal(createHash('sha256').update(await buffer(stream)).digest('hex'), hash);
      }));

    test('committing content already stored keeps the blob and spends the staged copy', () =>
      withStore(async (store) => {
        const hash = await put(store, 'same bytes');
        const staged = await store.stage();
        await write(store, staged, 'same bytes');
        await store.commit(staged, hash);
        assert.equal(await store.withLocalFile(hash, (file) => readFile(file, 'utf8')), 'same bytes');
        await assert.rejects(store.withStagedFile(staged, (file) => readFile(file)), 'the staged copy is gone');
      }));

    test('discard removes a staged file and never throws, also twice, for a foreign handle, or after a commit', () =>
      withStore(async (store) => {
        const staged = await store.stage();
        await write(store, staged, 'refused upload');
        await store.discard(staged);
        assert.equal(await store.has(sha256('refused upload')), false);
        await assert.rejects(store.withStagedFile(staged, (file) => readFile(file)));
        await store.discard(staged);
        await store.discard({ id: '../../etc/passwd' });
        const committed = await store.stage();
        await write(store, committed, 'kept');
        await store.commit(committed, sha256('kept'));
        await store.discard(committed);
        assert.equal(await store.has(sha256('kept')), true, 'discarding a committed handle leaves the blob');
      }));

    test('stageFile takes over a local file (the original is gone) and commits it', () =>
      withStore(async (store) => {
        const dir = await mkdtemp(path.join(tmpdir(), 'assay-blob-outside-'));
        try {
          const outside = path.join(dir, 'member.bin');
          await writeFile(outside, 'from an archive');
          const staged = await store.stageFile(outside);
          assert.equal(existsSync(outside), false);
          assert.equal(await store.withStagedFile(staged, (file) => readFile(file, 'utf8')), 'from an archive');
          await store.commit(staged, sha256('from an archive'));
          assert.equal(await text((await store.openRead(sha256('from an archive'))).stream), 'from an archive');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }));

    test('withLocalFile lends a readable path, returns what fn returns, and the blob stays', () =>
      withStore(async (store) => {
        const hash = await put(store, 'for plugins');
        let lent = '';
        const read = await store.withLocalFile(hash, (file) => ((lent = file), readFile(file, 'utf8')));
        assert.equal(read, 'for plugins');
        await assert.rejects(store.withLocalFile(hash, async () => { throw new Error('engine crashed'); }), /engine crashed/);
        assert.equal(await store.has(hash), true, 'lending does not delete the blob');
        assert.equal(await store.withLocalFile(hash, (file) => readFile(file, 'utf8')), 'for plugins', 'lent again after a failing fn');
        assert.ok(lent.length > 0);
      }));

    test('a missing blob is NotFoundError; a malformed hash or foreign handle is refused', () =>
      withStore(async (store) => {
        const missing = sha256('never stored');
        assert.equal(await store.has(missing), false);
        await assert.rejects(store.openRead(missing), (e) => isAppError(e) && e.code === 'NotFoundError');
        let lent = false;
        await assert.rejects(store.withLocalFile(missing, async () => void (lent = true)), (e) => isAppError(e) && e.code === 'NotFoundError');
        assert.equal(lent, false);
        await assert.rejects(store.has('../../etc/passwd'), (e) => isAppError(e) && e.code === 'InvalidArgumentError');
        const staged = await store.stage();
        await write(store, staged, 'x');
        await assert.rejects(store.commit(staged, 'ABC'));
        await assert.rejects(store.commit({ id: '../elsewhere' }, missing), /staging/);
        await assert.rejects(store.withStagedFile({ id: '../../etc/passwd' }, async () => undefined), /staging/);
        await store.discard(staged);
      }));
  });
}
