// Test harness for community routes: the fake services, except comments and votes, which are the real service on an in-memory SQLite store.
import { createHash } from 'node:crypto';
import { createCommunityService } from '../../app/community/community-service.js';
import { loadConfig } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import { parseFileHash } from '../../core/hashes.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { buildApp } from '../build-app.js';
import { createFakeServices } from './fake-services.js';
import { BASE, type TestApp } from './harness.js';

export interface CommunityTestApp extends TestApp {
  store: Store;
  /** The clock the community service reads, in milliseconds; tests move it. */
  clock: { ms: number };
  /** Records a file in the SQLite store (where comments and votes find it) and in the fake file service (GET /files, /comments/{id}/item). */
  recordFile(seed: string): Promise<{ md5: string; sha1: string; sha256: string }>;
}

export async function createCommunityTestApp(): Promise<CommunityTestApp> {
  const fake = await createFakeServices();
  const { store } = await openSqlite(':memory:');
  await store.migrate();
  const clock = { ms: 1_700_000_000_000 };
  const community = createCommunityService({
    store,
    now: () => clock.ms,
    // As the file service finds files: by any hash, InvalidArgumentError or NotFoundError otherwise.
    async findFile(hash) {
      const parsed = parseFileHash(hash);
      if (!parsed) throw new AppError('InvalidArgumentError', `"${hash}" is not a valid file hash (md5, sha1 or sha256)`);
      const file = await store.files.findByHash(parsed.kind, parsed.value);
      if (!file) throw new AppError('NotFoundError', `File "${hash}" not found`);
      return file;
    },
  });
  const services = { ...fake, community };
  const config = loadConfig({ dataDir: fake.blobs.root }, {});
  const app = await buildApp({ services, config, logger: false, publicBaseUrl: () => `${BASE}/` });
  return {
    app,
    fake,
    config,
    store,
    clock,
    async recordFile(seed) {
      const digest = (algorithm: string) => createHash(algorithm).update(seed).digest('hex');
      const hashes = { md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256') };
      await store.files.recordSubmission({ ...hashes, size: seed.length, at: 1 });
      fake.seedFile(Buffer.from(seed));
      return hashes;
    },
    async close() {
      await app.close();
      await store.close();
      await fake.close();
    },
  };
}
