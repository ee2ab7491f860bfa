/**
 * The file service keeps recently read reports only while the store says files are unchanged: a
 * write by this process (an analysis completing) is seen by the very next look-up, one by another
 * process on the same SQLite file (a second connection) within moments.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { emptyStats } from '../core/verdict.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { FileIntake } from './intake/intake.js';
import type { Store } from '../store/ports/store.js';
import { openSqlite } from '../store/sqlite/open-sqlite.js';
import { createFileService } from './file-service.js';
import type { Principal } from './principal.js';

const principal: Principal = { userId: 'u', name: 'u', isAdmin: false, tier: 'public', privileges: [], groupId: null };
const digest = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('hex');

let dir: string;
let store: Store;
let other: Store;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'assay-report-cache-'));
  store = (await openSqlite(path.join(dir, 'assay.db'))).store;
  await store.migrate();
  other = (await openSqlite(path.join(dir, 'assay.db'))).store;
});
after(async () => {
  await Promise.all([store.close(), other.close()]);
  await rm(dir, { recursive: true, force: true });
});

test('a cached report gives way to a completed analysis here at once, and to a submission by another process within moments', async () => {
  const files = createFileService({ store, blobs: {} as BlobStore, intake: {} as FileIntake });
  const hashes = { md5: digest('md5', 'x'), sha1: digest('sha1', 'x'), sha256: digest('sha256', 'x') };
  await store.files.recordSubmission({ ...hashes, size: 1, name: 'first.bin', at: 100 });
  await store.analyses.create({ id: 'a1', itemType: 'file', itemId: hashes.sha256, date: 100 });

  const before = await files.get(hashes.sha256, principal);
  assert.equal(before.lastAnalysisResults, null);
  assert.equal(await files.get(hashes.sha256, principal), before, 'unchanged: the same record, from the cache');

  const results = [{ engine_name: 'E', category: 'malicious' as const, result: 'x', method: 'blacklist', engine_version: '1', engine_update: '20260101' }];
  await store.analyses.completeFileAnalysis({ analysisId: 'a1', sha256: hashes.sha256, results, stats: { ...emptyStats(), malicious: 1 }, attributes: {}, tags: [], at: 101 });
  const after = await files.get(hashes.sha256, principal);
  assert.equal(after.lastAnalysisResults?.[0]?.category, 'malicious', 'the completed analysis is seen at once');

  await other.files.recordSubmission({ ...hashes, size: 1, name: 'second.bin', at: 102 });
  // Another process's writes are noticed within 20 ms (open-sqlite.ts): poll, with a deadline.
  const deadline = Date.now() + 2_000;
  let elsewhere = await files.get(hashes.md5, principal);
  while (elsewhere.timesSubmitted < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    elsewhere = await files.get(hashes.md5, principal);
  }
  assert.equal(elsewhere.timesSubmitted, 2, 'a write by another connection is seen within moments');
  assert.deepEqual(elsewhere.names.sort(), ['first.bin', 'second.bin']);
});
