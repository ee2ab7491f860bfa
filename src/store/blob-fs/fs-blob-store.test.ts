/** FsBlobStore: opaque staging, atomic commit, duplicates, discard, lent paths, reads, and the stale-staging sweep. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { isAppError } from '../../core/errors.js';
import type { StagedBlob } from '../ports/blob-store.js';
import { runBlobStoreContract } from '../blob-contract.case.test.js';
import { FsBlobStore } from './fs-blob-store.js';

const run = promisify(execFile);

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('FsBlobStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'assay-blobs-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** The one store's own staging directory (each store stages in `<root>/.staging/<host>.<pid>.<random>/`). */
  const stagingDir = () => {
    const dirs = readdirSync(path.join(root, '.staging'));
    assert.equal(dirs.length, 1, 'one staging directory per store');
    return path.join(root, '.staging', dirs[0]!);
  };
  const write = (store: FsBlobStore, staged: StagedBlob, content: string) => store.withStagedFile(staged, (file) => writeFile(file, content));

  async function put(store: FsBlobStore, content: string): Promise<string> {
    const staged = await store.stage();
    await write(store, staged, content);
    const hash = sha256(content);
    await store.commit(staged, hash);
    return hash;
  }

  test('stage gives a fresh file under <root>/.staging behind an opaque handle', async () => {
    const store = new FsBlobStore(root);
    const a = await store.stage();
    const b = await store.stage();
    assert.notEqual(a.id, b.id);
    assert.deepEqual(Object.keys(a), ['id'], 'no path is handed out');
    assert.equal(a.id.includes('/'), false);
    assert.equal((await readdir(stagingDir())).length, 2);
    await store.withStagedFile(a, async (file) => {
      assert.equal(path.dirname(file), stagingDir());
      assert.equal((await stat(file)).size, 0);
    });
  });

  test('commit moves the staged file to <root>/<aa>/<bb>/<sha256>', async () => {
    const store = new FsBlobStore(root);
    const staged = await store.stage();
    await write(store, staged, 'hello sample');
    const hash = sha256('hello sample');
    assert.equal(await store.has(hash), false);
    await store.commit(staged, hash);
    const target = path.join(root, hash.slice(0, 2), hash.slice(2, 4), hash);
    assert.equal(await readFile(target, 'utf8'), 'hello sample');
    assert.deepEqual(await readdir(stagingDir()), [], 'the staged copy is gone');
    assert.equal(await store.has(hash), true);
  });

  test('committing content already stored drops the staged copy and keeps the blob', async () => {
    const store = new FsBlobStore(root);
    const hash = await put(store, 'same bytes');
    const before = await stat(path.join(root, hash.slice(0, 2), hash.slice(2, 4), hash));
    const staged = await store.stage();
    await write(store, staged, 'same bytes');
    await store.commit(staged, hash);
    const after = await stat(path.join(root, hash.slice(0, 2), hash.slice(2, 4), hash));
    assert.equal(after.ino, before.ino, 'the stored blob was not replaced');
    assert.deepEqual(await readdir(stagingDir()), []);
  });

  test('discard removes a staged file and never throws, also after a commit', async () => {
    const store = new FsBlobStore(root);
    const staged = await store.stage();
    await write(store, staged, 'refused upload');
    await store.discard(staged);
    assert.deepEqual(await readdir(stagingDir()), []);
    await store.discard(staged);
    await store.discard({ id: '../../etc/passwd' });
    const committed = await store.stage();
    await write(store, committed, 'kept');
    await store.commit(committed, sha256('kept'));
    await store.discard(committed);
    assert.equal(await store.has(sha256('kept')), true, 'discarding a committed handle leaves the blob');
  });

  test('stageFile takes over a local file (moved, not copied), with a fresh mtime', async () => {
    const store = new FsBlobStore(root);
    const outside = path.join(root, 'extracted.bin');
    await writeFile(outside, 'from an archive');
    const longAgo = new Date('2001-01-01T00:00:00Z');
    await utimes(outside, longAgo, longAgo);
    const staged = await store.stageFile(outside);
    assert.equal(existsSync(outside), false, 'the original is gone');
    await store.withStagedFile(staged, async (file) => {
      assert.equal(await readFile(file, 'utf8'), 'from an archive');
      assert.ok((await stat(file)).mtimeMs > longAgo.getTime() + 3600_000, 'the stale-staging sweep will not take it');
    });
    await store.commit(staged, sha256('from an archive'));
    assert.equal(await store.has(sha256('from an archive')), true);
  });

  test('stageFile across file systems copies, then removes the original', async (t) => {
    const other = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/assay-blobs-') : undefined;
    if (!other || (await stat(other)).dev === (await stat(root)).dev) {
      if (other) await rm(other, { recursive: true, force: true });
      return t.skip('no second file system (/dev/shm) here');
    }
    const store = new FsBlobStore(root);
    try {
      const outside = path.join(other, 'member.bin');
      await writeFile(outside, 'elsewhere');
      const staged = await store.stageFile(outside);
      assert.equal(existsSync(outside), false);
      assert.equal(await store.withStagedFile(staged, (file) => readFile(file, 'utf8')), 'elsewhere');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test('withLocalFile lends a readable path and returns what fn returns; the blob stays', async () => {
    const store = new FsBlobStore(root);
    const hash = await put(store, 'for plugins');
    const read = await store.withLocalFile(hash, (file) => readFile(file, 'utf8'));
    assert.equal(read, 'for plugins');
    await assert.rejects(store.withLocalFile(hash, async () => { throw new Error('engine crashed'); }), /engine crashed/);
    assert.equal(await store.has(hash), true, 'lending does not delete the blob');
  });

  test('openRead streams the blob and reports its size', async () => {
    const store = new FsBlobStore(root);
    const content = 'x'.repeat(100_000);
    const hash = await put(store, content);
    const { stream, size } = await store.openRead(hash);
    assert.equal(size, 100_000);
    assert.equal(await text(stream), content);
  });

  test('a missing blob is NotFoundError; a malformed hash is refused before touching the disk', async () => {
    const store = new FsBlobStore(root);
    const missing = sha256('never stored');
    assert.equal(await store.has(missing), false);
    await assert.rejects(store.openRead(missing), (e) => isAppError(e) && e.code === 'NotFoundError');
    let lent = false;
    await assert.rejects(store.withLocalFile(missing, async () => void (lent = true)), (e) => isAppError(e) && e.code === 'NotFoundError');
    assert.equal(lent, false);
    await assert.rejects(store.has('../../etc/passwd'), (e) => isAppError(e) && e.code === 'InvalidArgumentError');
    const staged = await store.stage();
    await assert.rejects(store.commit(staged, 'ABC'));
    await assert.rejects(store.commit({ id: '../elsewhere' }, missing), /staging/);
    await assert.rejects(store.withStagedFile({ id: '../../etc/passwd' }, async () => undefined), /staging/);
  });

  test('opening removes at once what a crashed process was staging, and keeps what live ones stage', async () => {
    // A real process opens the store, stages a file, writes to it and dies by SIGKILL mid-upload.
    const crashed = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { writeFileSync } from 'node:fs';
      import { FsBlobStore } from ${JSON.stringify(path.resolve('src/store/blob-fs/fs-blob-store.ts'))};
      const store = new FsBlobStore(${JSON.stringify(root)});
      const file = await store.withStagedFile(await store.stage(), async (file) => (writeFileSync(file, 'half an upload'), file));
      process.stdout.write(file, () => process.kill(process.pid, 'SIGKILL'));
    `]).then(
      () => assert.fail('the child was meant to die'),
      (error: { signal?: string; stdout: string }) => {
        assert.equal(error.signal, 'SIGKILL');
        return error.stdout;
      },
    );
    assert.ok(existsSync(crashed), 'the crashed upload is there');
    const liveStore = new FsBlobStore(root);
    const live = await liveStore.stage();
    await new FsBlobStore(root).stage();
    assert.equal(existsSync(crashed), false, 'swept at the next start, not an hour later');
    assert.equal(existsSync(path.dirname(crashed)), false);
    assert.equal(await liveStore.withStagedFile(live, async (file) => existsSync(file)), true, 'a live store keeps its staging file');
  });

  test('opening removes staging files older than an hour and keeps recent ones', async () => {
    const first = await FsBlobStore.open(root);
    const stale = await first.stage();
    const fresh = await first.stage();
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await first.withStagedFile(stale, (file) => utimes(file, twoHoursAgo, twoHoursAgo));
    const firstDir = await first.withStagedFile(fresh, async (file) => path.dirname(file));
    await FsBlobStore.open(root);
    assert.deepEqual(await readdir(firstDir), [fresh.id], 'a live store keeps its recent file; its stale one is gone');
  });
});

runBlobStoreContract('fs', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'assay-blobs-'));
  return {
    store: new FsBlobStore(root),
    reopen: () => FsBlobStore.open(root),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});
