/**
 * Where samples and jobs live, chosen by configuration only: the embedded defaults (`<data>/blobs`,
 * the jobs table) or the scale-out adapters (an S3 bucket, BullMQ on Redis). docs/deploy.md.
 */
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import { BullmqJobQueue } from '../queue/bullmq/bullmq-job-queue.js';
import { DbJobQueue } from '../queue/db/db-job-queue.js';
import type { JobQueue } from '../queue/queue.js';
import { FsBlobStore } from '../store/blob-fs/fs-blob-store.js';
import { parseS3Url, S3BlobStore, s3ClientConfig } from '../store/blob-s3/s3-blob-store.js';
import type { BlobStore } from '../store/ports/blob-store.js';
import type { Database } from '../store/sql/schema.js';

/** A blob store with a local staging area the retention purge sweeps. */
export type StagingBlobStore = BlobStore & { purgeStaging(olderThanMs: number): Promise<number> };

/** The blob store `config` names, with what closing it takes. */
export function openBlobStore(config: Config): { blobs: StagingBlobStore; close(): Promise<void> } {
  if (!config.blobUrl) return { blobs: new FsBlobStore(config.blobDir), close: async () => undefined };
  const store = openS3BlobStore(config, config.blobUrl);
  return { blobs: store, close: () => store.close() };
}

/** An S3 blob store at `url` (s3://bucket/prefix) with the S3 settings of `config`; also the target of `assay migrate-store`. */
export function openS3BlobStore(config: Config, url: string): S3BlobStore {
  const credentials =
    config.awsAccessKeyId && config.awsSecretAccessKey
      ? { accessKeyId: config.awsAccessKeyId, secretAccessKey: config.awsSecretAccessKey, sessionToken: config.awsSessionToken }
      : undefined;
  return new S3BlobStore({
    location: parseS3Url(url),
    client: s3ClientConfig({ endpoint: config.s3Endpoint, region: config.awsRegion, forcePathStyle: config.s3ForcePathStyle, credentials }),
    // Staging on the data disk: uploads are received there before they go to the bucket.
    workDir: path.join(config.dataDir, 's3'),
  });
}

/** The job queue `config` names: the metadata database's jobs table, or BullMQ on Redis. */
export async function openJobQueue(config: Config, db: Kysely<Database>): Promise<JobQueue> {
  if (config.queue === 'bullmq') return BullmqJobQueue.open(config.redisUrl!, { prefix: config.queuePrefix, stalledCheckMs: Math.max(1_000, Math.floor(config.jobLeaseMs / 2)) });
  return new DbJobQueue(db);
}
