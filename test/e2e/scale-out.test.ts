/**
 * End to end, scale-out: an embedded instance (SQLite, <data>/blobs) with files, analyses, a user
 * and a comment is moved by `assay migrate-store` to PostgreSQL and an S3 server (s3rver), then
 * runs as an API server plus separate `assay worker` processes sharing BullMQ on Redis. Everything
 * from before is there, new uploads are analysed by the workers, and a worker killed with SIGKILL
 * mid-analysis loses nothing: another takes its jobs once their leases lapse.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { dropTestDatabases, testDatabaseUrl } from '../support/postgres.js';
import { testRedisPrefix, testRedisUrl } from '../support/redis.js';
import { startTestS3Server, type TestS3Server } from '../support/s3-server.js';
import { api, startServer, type TestServer } from '../support/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const json = { 'content-type': 'application/json' };
const unlimited = { requestsPerMinute: null, requestsPerDay: null, requestsPerMonth: null, maxConcurrentRequests: 64 };

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await dropTestDatabases();
});

/** An `assay worker` process; resolves once it says it started. */
async function startWorker(dataDir: string, env: Record<string, string>): Promise<{ process: ChildProcess; kill9(): Promise<void>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'worker', '--data', dataDir], {
    cwd: root,
    env: { ...process.env, ...env, ASSAY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    const check = (d: Buffer) => {
      output += d;
      if (output.includes('worker started')) {
        clearTimeout(deadline);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  cleanups.push(() => signal('SIGKILL'));
  return { process: child, kill9: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

test('an embedded instance moves to PostgreSQL + S3 and scales out on BullMQ, surviving a worker killed mid-analysis', async () => {
  // 1. The embedded instance, with some history.
  const embeddedEnv = { ASSAY_TIERS: JSON.stringify({ public: unlimited }) };
  let server: TestServer = await startServer({ env: embeddedEnv });
  cleanups.push(() => server.stop());
  const { dataDir, adminKey } = server;
  let admin = api(server, adminKey);
  const before = Array.from({ length: 3 }, (_, i) => Buffer.from(`migrated sample ${i} ${randomBytes(8).toString('hex')}`));
  const analysesBefore: string[] = [];
  for (const [i, content] of before.entries()) {
    const res = await admin.upload(content, `before-${i}.txt`);
    assert.equal(res.status, 200, res.text);
    analysesBefore.push(res.json.data.id);
  }
  for (const id of analysesBefore) await admin.waitForAnalysis(id);
  const comment = await admin.post(`/files/${sha256(before[0]!)}/comments`, JSON.stringify({ data: { type: 'comment', attributes: { text: 'seen before the move #migrated' } } }), json);
  assert.equal(comment.status, 200, comment.text);
  const { stdout: created } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'user', 'create', 'analyst', '--data', dataDir], { cwd: root });
  const analystKey = created.trim().split('\n').pop()!;
  const reportBefore = await admin.get(`/files/${sha256(before[1]!)}`);
  await server.stop();

  // 2. The servers of the scale-out layout, and the move.
  const s3: TestS3Server = await startTestS3Server('samples');
  cleanups.push(() => s3.stop());
  const databaseUrl = await testDatabaseUrl();
  const redisUrl = await testRedisUrl();
  const blobUrl = 's3://samples/assay';
  const queuePrefix = testRedisPrefix().replace(/[^A-Za-z0-9_-]/g, '');
  cleanups.push(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const moved = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'migrate-store', '--data', dataDir, '--to-database', databaseUrl, '--to-blobs', blobUrl], {
    cwd: root,
    env: { ...process.env, ...s3.env },
  });
  assert.match(moved.stdout, /table files: 3 rows/);
  assert.match(moved.stdout, /table comments: 1 rows/);
  assert.match(moved.stdout, /blobs: 3 copied \(\d+ bytes\), 0 already there, 0 corrupt/);
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  cleanups.push(async () => client.destroy());
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'samples', Prefix: 'assay/' }));
  assert.deepEqual(
    (listed.Contents ?? []).map((o) => o.Key).sort(),
    before.map((b) => sha256(b)).map((h) => `assay/${h.slice(0, 2)}/${h.slice(2, 4)}/${h}`).sort(),
  );
  // Run again, it only confirms what is there.
  const again = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'migrate-store', '--data', dataDir, '--to-blobs', blobUrl], { cwd: root, env: { ...process.env, ...s3.env } });
  assert.match(again.stdout, /blobs: 0 copied \(0 bytes\), 3 already there/);

  // 3. The scale-out layout: an API server running no analyses, and workers, all on PostgreSQL, S3 and BullMQ.
  const scaleEnv = {
    ...embeddedEnv,
    ...s3.env,
    ASSAY_DATABASE_URL: databaseUrl,
    ASSAY_BLOB_URL: blobUrl,
    ASSAY_QUEUE: 'bullmq',
    ASSAY_REDIS_URL: redisUrl,
    // The Redis may be shared: this run's queues under a prefix of their own, removed afterwards.
    ASSAY_QUEUE_PREFIX: queuePrefix,
    ASSAY_JOB_LEASE_MS: '2000',
    ASSAY_JOB_POLL_MS: '100',
  };
  server = await startServer({ dataDir, adminKey, env: { ...scaleEnv, ASSAY_WORKER_CONCURRENCY: '0' } });
  cleanups.push(() => server.stop());
  admin = api(server, adminKey);

  // Everything from before is there: reports, analyses, the comment, the user, the bytes.
  const reportAfter = await admin.get(`/files/${sha256(before[1]!)}`);
  assert.equal(reportAfter.status, 200, reportAfter.text);
  assert.deepEqual(reportAfter.json.data.attributes.last_analysis_results, reportBefore.json.data.attributes.last_analysis_results);
  for (const id of analysesBefore) assert.equal((await admin.get(`/analyses/${encodeURIComponent(id)}`)).json.data.attributes.status, 'completed');
  const comments = await admin.get(`/files/${sha256(before[0]!)}/comments`);
  assert.equal(comments.json.data[0]?.attributes.text, 'seen before the move #migrated');
  assert.equal((await api(server, analystKey).get(`/files/${sha256(before[2]!)}`)).status, 200, 'the user and key moved');
  const download = await fetch(`${server.url}/api/v3/files/${sha256(before[2]!)}/download`, { headers: { 'x-apikey': adminKey } });
  assert.equal(download.status, 200);
  assert.deepEqual(Buffer.from(await download.arrayBuffer()), before[2]);

  // New uploads wait for workers; one is killed with jobs in hand, another finishes them.
  const workerEnv = { ...scaleEnv, ASSAY_WORKER_CONCURRENCY: '1' };
  const doomed = await startWorker(dataDir, workerEnv);
  const uploads: string[] = [];
  const contents: Buffer[] = [];
  for (let i = 0; i < 8; i++) {
    const content = randomBytes(2 * 1024 * 1024);
    contents.push(content);
    const res = await admin.upload(content, `after-${i}.bin`);
    assert.equal(res.status, 200, res.text);
    uploads.push(res.json.data.id);
  }
  const statuses = await Promise.all(uploads.map(async (id) => (await admin.get(`/analyses/${encodeURIComponent(id)}`)).json.data.attributes.status));
  assert.ok(statuses.some((s) => s !== 'completed'), 'some analyses are still to do when the worker dies');
  await doomed.kill9();
  const survivor = await startWorker(dataDir, workerEnv);
  for (const id of uploads) {
    const analysis = await admin.waitForAnalysis(id, 120_000);
    assert.ok(Object.keys(analysis.data.attributes.results).length >= 2, 'engines ran');
  }
  for (const content of contents) {
    const file = await admin.get(`/files/${sha256(content)}`);
    assert.equal(file.json.data.attributes.size, content.length);
  }
  const stored = await client.send(new ListObjectsV2Command({ Bucket: 'samples', Prefix: 'assay/' }));
  assert.equal((stored.Contents ?? []).filter((o) => !o.Key!.includes('/.staging/')).length, 3 + 8, 'every sample is in the bucket');
  await survivor.stop();
});
