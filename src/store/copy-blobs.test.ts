/** copyBlobs between two directory stores: every blob arrives, a rerun skips them, and a blob whose bytes were altered on disk is reported, not copied. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import { FsBlobStore } from './blob-fs/fs-blob-store.js';
import { copyBlobs } from './copy-blobs.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('copyBlobs copies every blob once, checks each against its name, and resumes', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'assay-copy-blobs-'));
  try {
    const from = new FsBlobStore(path.join(dir, 'from'));
    const to = new FsBlobStore(path.join(dir, 'to'));
    const contents = Array.from({ length: 7 }, (_, i) => randomBytes(1000 * (i + 1)));
    for (const content of contents) {
      const staged = await from.stage();
      await from.withStagedFile(staged, (file) => writeFile(file, content));
      await from.commit(staged, sha256(content));
    }
    // One blob is altered on disk after it was stored.
    const victim = sha256(contents[3]!);
    const victimPath = path.join(dir, 'from', victim.slice(0, 2), victim.slice(2, 4), victim);
    await chmod(victimPath, 0o644);
    await writeFile(victimPath, 'bit rot');

    const listed: string[] = [];
    for await (const hash of from.list()) listed.push(hash);
    assert.deepEqual(listed, contents.map(sha256).sort(), 'list gives every blob, in order');

    const first = await copyBlobs(from, to);
    assert.equal(first.copied, 6);
    assert.deepEqual(first.corrupt, [victim]);
    assert.equal(first.bytes, contents.filter((_, i) => i !== 3).reduce((n, c) => n + c.length, 0));
    for (const [i, content] of contents.entries()) {
      if (i === 3) {
        assert.equal(await to.has(victim), false);
        continue;
      }
      assert.deepEqual(await buffer((await to.openRead(sha256(content))).stream), content);
    }
    const second = await copyBlobs(from, to);
    assert.deepEqual({ copied: second.copied, skipped: second.skipped }, { copied: 0, skipped: 6 });
    const stagingDirs = await readdir(path.join(dir, 'to', '.staging'));
    for (const d of stagingDirs) assert.deepEqual(await readdir(path.join(dir, 'to', '.staging', d)), [], 'nothing left staged');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
