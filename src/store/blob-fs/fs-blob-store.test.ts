/** FsBlobStore: staging, atomic commit, duplicates, discard, reads, and the stale-staging sweep. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { isAppError } from '../../core/errors.js';
import { FsBlobStore } from './fs-blob-store.js';

const run = promisify(execFile);

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('FsBlobStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'assay-blobs-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function put(store: FsBlobStore, content: string): Promise<string> {
    const staged = await store.stage();
    await writeFile(staged.path, content);
    const hash = sha256(content);
    await store.commit(staged, hash);
    return hash;
  }

  test('stage gives a fresh file under <root>/.staging', async () => {
    const store = new FsBlobStore(root);
    const a = await store.stage();
    const b = await store.stage();
    assert.notEqual(a.path, b.path);
    assert.equal(path.dirname(a.path), path.dirname(b.path), 'one staging directory per store');
    assert.equal(path.dirname(path.dirname(a.path)), path.join(root, '.staging'));
    assert.ok(existsSync(a.path));
  });

  test('commit moves the staged file to <root>/<aa>/<bb>/<sha256>', async () => {
    const store = new FsBlobStore(root);
    const staged = await store.stage();
    await writeFile(staged.path, 'hello sample');
    const hash = sha256('hello sample');
    assert.equal(await store.has(hash), false);
    await store.commit(staged, hash);
    const target = path.join(root, hash.slice(0, 2), hash.slice(2, 4), hash);
    assert.equal(await readFile(target, 'utf8'), 'hello sample');
    assert.equal(existsSync(staged.path), false, 'the staged copy is gone');
    assert.equal(await store.has(hash), true);
  });

  test('committing content already stored drops the staged copy and keeps the blob', async () => {
    const store = new FsBlobStore(root);
    const hash = await put(store, 'same bytes');
    const before = await stat(path.join(root, hash.slice(0, 2), hash.slice(2, 4), hash));
    const staged = await store.stage();
    await writeFile(staged.path, 'same bytes');
    await store.commit(staged, hash);
    assert.equal(existsSync(staged.path), false);
    const after = await stat(path.join(root, hash.slice(0, 2), hash.slice(2, 4), hash));
    assert.equal(after.ino, before.ino, 'the stored blob was not replaced');
    assert.deepEqual(await readdir(path.dirname(staged.path)), []);
  });

  test('discard removes a staged file and never throws', async () => {
    const store = new FsBlobStore(root);
    const staged = await store.stage();
    await writeFile(staged.path, 'refused upload');
    await store.discard(staged);
    assert.equal(existsSync(staged.path), false);
    await store.discard(staged);
    await store.discard({ path: '/definitely/not/a/staging/file' });
  });

  test('acquireLocal gives a readable path; release is harmless', async () => {
    const store = new FsBlobStore(root);
    const hash = await put(store, 'for plugins');
    const local = await store.acquireLocal(hash);
    assert.equal(await readFile(local.path, 'utf8'), 'for plugins');
    await local.release();
    assert.equal(await store.has(hash), true, 'release does not delete the blob');
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
    await assert.rejects(store.acquireLocal(missing), (e) => isAppError(e) && e.code === 'NotFoundError');
    await assert.rejects(store.has('../../etc/passwd'), (e) => isAppError(e) && e.code === 'InvalidArgumentError');
    const staged = await store.stage();
    await assert.rejects(store.commit(staged, 'ABC'));
    await assert.rejects(store.commit({ path: path.join(root, 'elsewhere') }, missing), /staging/);
  });

  test('opening removes at once what a crashed process was staging, and keeps what live ones stage', async () => {
    // A real process opens the store, stages a file, writes to it and dies by SIGKILL mid-upload.
    const crashed = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { writeFileSync } from 'node:fs';
      import { FsBlobStore } from ${JSON.stringify(path.resolve('src/store/blob-fs/fs-blob-store.ts'))};
      const staged = await new FsBlobStore(${JSON.stringify(root)}).stage();
      writeFileSync(staged.path, 'half an upload');
      process.stdout.write(staged.path, () => process.kill(process.pid, 'SIGKILL'));
    `]).then(
      () => assert.fail('the child was meant to die'),
      (error: { signal?: string; stdout: string }) => {
        assert.equal(error.signal, 'SIGKILL');
        return error.stdout;
      },
    );
    assert.ok(existsSync(crashed), 'the crashed upload is there');
    const live = await new FsBlobStore(root).stage();
    await new FsBlobStore(root).stage();
    assert.equal(existsSync(crashed), false, 'swept at the next start, not an hour later');
    assert.equal(existsSync(path.dirname(crashed)), false);
    assert.equal(existsSync(live.path), true, 'a live store keeps its staging file');
  });

  test('opening removes staging files older than an hour and keeps recent ones', async () => {
    const first = await FsBlobStore.open(root);
    const stale = await first.stage();
    const fresh = await first.stage();
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(stale.path, twoHoursAgo, twoHoursAgo);
    await FsBlobStore.open(root);
    assert.equal(existsSync(stale.path), false);
    assert.equal(existsSync(fresh.path), true);
  });
});
