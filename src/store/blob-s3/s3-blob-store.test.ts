/** S3BlobStore on a real S3 server (s3rver in its own process): the blob contract, the object layout, and what staging leaves behind. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, readdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startTestS3Server, type TestS3Server } from '../../../test/support/s3-server.js';
import { randomHex } from '../../core/ids.js';
import { runBlobStoreContract } from '../blob-contract.case.test.js';
import { parseS3Url, S3BlobStore, s3ClientConfig } from './s3-blob-store.js';

let server: TestS3Server;
const s3 = { get directory() { return server.directory; } };
before(async () => {
  server = await startTestS3Server();
});
after(() => server?.stop());

const clientConfig = () =>
  s3ClientConfig({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

/** A store under a prefix of its own in the shared bucket, with its own local work directory. */
async function openStore(prefix = `t-${randomHex(6)}`) {
  const workDir = await mkdtemp(path.join(tmpdir(), 'assay-s3-work-'));
  const location = { bucket: server.bucket, prefix };
  const stores: S3BlobStore[] = [];
  const open = () => {
    const store = new S3BlobStore({ location, client: clientConfig(), workDir, partSize: 5 * 1024 * 1024 });
    stores.push(store);
    return store;
  };
  return {
    store: open(),
    prefix,
    workDir,
    reopen: async () => open(),
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Paths of the files called `name` under `dir`. */
async function filesNamed(dir: string, name: string): Promise<Set<string>> {
  const found = new Set<string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name === name) found.add(path.join(entry.parentPath, entry.name));
  }
  return found;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const client = new S3Client(clientConfig());
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `${prefix}/` }));
    return (listed.Contents ?? []).map((o) => o.Key!).sort();
  } finally {
    client.destroy();
  }
}

runBlobStoreContract('s3 (s3rver)', () => openStore());

describe('S3BlobStore', () => {
  test('parses s3:// locations and refuses anything else', () => {
    assert.deepEqual(parseS3Url('s3://samples/assay/blobs/'), { bucket: 'samples', prefix: 'assay/blobs' });
    assert.deepEqual(parseS3Url('s3://samples'), { bucket: 'samples', prefix: '' });
    assert.throws(() => parseS3Url('https://samples/x'), /s3:\/\//);
    assert.throws(() => parseS3Url('s3://A_B/x'), /s3:\/\//);
  });

  test('a committed blob sits at <prefix>/<aa>/<bb>/<sha256>, and staging leaves no object or local file behind', async () => {
    const t = await openStore();
    try {
      const content = 'laid out like the local store';
      const hash = createHash('sha256').update(content).digest('hex');
      const staged = await t.store.stage();
      await t.store.withStagedFile(staged, (file) => writeFile(file, content));
      const refused = await t.store.stage();
      await t.store.withStagedFile(refused, (file) => writeFile(file, 'refused'));
      await t.store.commit(staged, hash);
      await t.store.discard(refused);
      assert.deepEqual(await keysUnder(t.prefix), [`${t.prefix}/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`]);
      const localFiles = async () => {
        const root = path.join(t.workDir, 'staging', '.staging');
        return (await Promise.all((await readdir(root)).map((dir) => readdir(path.join(root, dir))))).flat();
      };
      await t.store.withLocalFile(hash, async (file) => {
        assert.equal((await localFiles()).length, 1, 'one downloaded copy while lent');
        assert.equal((await stat(file)).mode & 0o777, 0o400, 'the copy is read-only');
      });
      assert.deepEqual(await localFiles(), [], 'no staged file or downloaded copy is left');
    } finally {
      await t.dispose();
    }
  });

  test('the staging upload runs while the writer is still writing: the first part is on the server before the file is complete', async () => {
    const t = await openStore();
    try {
      const part = randomBytes(5 * 1024 * 1024 + 1);
      const tail = randomBytes(1234);
      const staged = await t.store.stage();
      // s3rver keeps multipart parts as files named by their number: earlier uploads' are not this one's.
      const earlier = await filesNamed(s3.directory, '1');
      await t.store.withStagedFile(staged, async (file) => {
        await writeFile(file, part);
        // Wait (with a deadline) for this upload's part 1, while the file is still incomplete.
        const deadline = Date.now() + 60_000;
        while ([...(await filesNamed(s3.directory, '1'))].every((p) => earlier.has(p))) {
          if (Date.now() > deadline) throw new Error('no part arrived while the writer was writing');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await appendFile(file, tail);
      });
      const hash = createHash('sha256').update(part).update(tail).digest('hex');
      await t.store.commit(staged, hash);
      const { stream, size } = await t.store.openRead(hash);
      assert.equal(size, part.length + tail.length);
      assert.equal(createHash('sha256').update(await buffer(stream)).digest('hex'), hash);
    } finally {
      await t.dispose();
    }
  });

  test('a writer that fails stops the staging upload, and nothing is stored', async () => {
    const t = await openStore();
    try {
      const staged = await t.store.stage();
      await assert.rejects(
        t.store.withStagedFile(staged, async (file) => {
          await writeFile(file, randomBytes(100_000));
          throw new Error('client went away');
        }),
        /client went away/,
      );
      await t.store.discard(staged);
      assert.deepEqual(await keysUnder(t.prefix), []);
    } finally {
      await t.dispose();
    }
  });

  test('with the server gone, reads and commits fail with an error rather than hanging or claiming success', async () => {
    const own = await startTestS3Server('gone');
    const workDir = await mkdtemp(path.join(tmpdir(), 'assay-s3-work-'));
    const config = { ...clientConfig(), endpoint: own.endpoint, maxAttempts: 1 };
    const store = new S3BlobStore({ location: { bucket: 'gone', prefix: '' }, client: config, workDir });
    try {
      const staged = await store.stage();
      await store.withStagedFile(staged, (file) => writeFile(file, 'never arrives'));
      await own.stop();
      await assert.rejects(store.has('a'.repeat(64)));
      await assert.rejects(store.commit(staged, createHash('sha256').update('never arrives').digest('hex')));
      await store.discard(staged);
    } finally {
      await store.close();
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
