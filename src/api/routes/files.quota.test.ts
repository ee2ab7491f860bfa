// Quotas through the whole stack: buildApp over the real services on SQLite, a fresh public key, a controllable clock.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { SevenZipUnpacker } from '../../unpackers/seven-zip/seven-zip-unpacker.js';
import { createUser } from '../../app/accounts/index.js';
import { createServices } from '../../app/create-services.js';
import { HashPool } from '../../app/intake/hash-pool.js';
import { createIntake } from '../../app/intake/intake.js';
import { loadConfig } from '../../config/config.js';
import { DbJobQueue } from '../../queue/db/db-job-queue.js';
import { FsBlobStore } from '../../store/blob-fs/fs-blob-store.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { buildApp } from '../build-app.js';
import { createFakeServices } from '../testing/fake-services.js';
import { alice, assertError, assertOk, BASE } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('quotas over HTTP, real services on SQLite', () => {
  let dir: string;
  let store: Store;
  let app: FastifyInstance;
  let hashPool: HashPool;
  let queue: DbJobQueue;
  let key: string;
  const sha256 = 'a'.repeat(64);
  const clock = { ms: Date.parse('2025-03-10T12:00:10Z') };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'assay-quota-api-'));
    const config = loadConfig({ dataDir: dir }, {});
    const backend = await openSqlite(config.sqlitePath);
    store = backend.store;
    await store.migrate();
    queue = new DbJobQueue(backend.db);
    hashPool = new HashPool();
    const now = () => clock.ms;
    const blobs = new FsBlobStore(config.blobDir);
    const intake = createIntake({
      store,
      blobs,
      queue,
      hashPool,
      unpacker: new SevenZipUnpacker(),
      unpackLimits: { maxTotalBytes: config.maxLargeUploadBytes, maxEntries: 8 },
      workDir: path.join(dir, 'tmp'),
      now,
    });
    const services = createServices({
      store,
      blobs,
      queue,
      intake,
      uploadUrlTtlMs: config.uploadUrlTtlMs,
      now,
      isReady: () => true,
      tiers: config.tiers,
      quotaTiers: config.tiers,
    });
    key = (await createUser({ store, now, tiers: config.tiers }, { name: 'pub' })).apiKey;
    await store.files.recordSubmission({ sha256, sha1: 'b'.repeat(40), md5: 'c'.repeat(32), size: 1, at: 1_700_000_000 });
    app = await buildApp({ services, config, logger: false, publicBaseUrl: () => `${BASE}/` });
  });

  after(async () => {
    await app.close();
    await queue.close();
    await hashPool.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const getFile = () => app.inject({ method: 'GET', url: `/api/v3/files/${sha256}`, headers: { 'x-apikey': key } });

  it('100 concurrent requests on a fresh public key: exactly 4 answered, 96 QuotaExceededError with Retry-After', async () => {
    const responses = await Promise.all(Array.from({ length: 100 }, getFile));
    const answered = responses.filter((r) => r.statusCode !== 429);
    assert.equal(answered.length, 4);
    for (const r of answered) assertOk(r);
    for (const r of responses.filter((res) => res.statusCode === 429)) {
      assertError(r, 429, 'QuotaExceededError', 'User quota of 4 requests per minute exceeded; it resets at 2025-03-10T12:01:00Z (in 50 s)');
      assert.equal(r.headers['retry-after'], '50');
    }
  });

  it('quota and user look-ups are free: overall_quotas still answers, showing the 4', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: 'GET', url: '/api/v3/users/pub/overall_quotas', headers: { 'x-apikey': key } });
      assertOk(res);
      assert.deepEqual((res.json() as Json).data, {
        api_requests_hourly: { user: { allowed: 240, used: 4 } },
        api_requests_daily: { user: { allowed: 500, used: 4 } },
        api_requests_monthly: { user: { allowed: 15_500, used: 4 } },
      });
    }
    const usage = await app.inject({ method: 'GET', url: '/api/v3/users/pub/api_usage?start_date=20250310&end_date=20250310', headers: { 'x-apikey': key } });
    assertOk(usage);
    assert.deepEqual((usage.json() as Json).data, { daily: { '2025-03-10': { files: 4 } }, total: { files: 4 } });
  });

  it('the next UTC minute admits 4 more, one after another: every answered request gave its in-flight slot back', async () => {
    clock.ms = Date.parse('2025-03-10T12:01:00Z');
    for (let i = 0; i < 4; i++) assertOk(await getFile());
    assertError(await getFile(), 429, 'QuotaExceededError');
  });

  it('refused and unknown keys are not counted: 401 before any quota', async () => {
    assertError(await app.inject({ method: 'GET', url: `/api/v3/files/${sha256}`, headers: { 'x-apikey': 'nope' } }), 401, 'WrongCredentialsError');
  });
});

describe('the API releases each admission once, when the request ends', () => {
  it('answered and refused-after-admission requests both release', async () => {
    const fake = await createFakeServices();
    const config = loadConfig({ dataDir: fake.blobs.root }, {});
    const app = await buildApp({ services: fake, config, logger: false, publicBaseUrl: () => `${BASE}/` });
    try {
      const sha = fake.seedFile(Buffer.from('released')).sha256;
      assertOk(await app.inject({ method: 'GET', url: `/api/v3/files/${sha}`, headers: alice }));
      assertError(await app.inject({ method: 'GET', url: `/api/v3/files/${'0'.repeat(64)}`, headers: alice }), 404, 'NotFoundError');
      assert.equal(fake.state.admitted.length, 2);
      assert.equal(fake.state.released, 2);
    } finally {
      await app.close();
      await fake.close();
    }
  });
});
