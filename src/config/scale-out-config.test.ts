/** The scale-out settings: where blobs and jobs live, S3 addressing, per-kind limits, and the refusals an operator sees at start. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, parseKindLimits } from './config.js';

test('by default blobs stay in the data directory and jobs in the database', () => {
  const config = loadConfig({}, {});
  assert.equal(config.queue, 'db');
  assert.equal(config.blobUrl, undefined);
  assert.equal(config.queuePrefix, 'assay');
});

test('S3 and BullMQ come from the environment', () => {
  const config = loadConfig({}, {
    ASSAY_BLOB_URL: 's3://samples/assay',
    ASSAY_S3_ENDPOINT: 'http://minio:9000',
    ASSAY_S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'id',
    AWS_SECRET_ACCESS_KEY: 'secret',
    ASSAY_QUEUE: 'bullmq',
    ASSAY_REDIS_URL: 'redis://redis:6379',
    ASSAY_JOB_KIND_CONCURRENCY: 'analyse-url=2, retrohunt=1',
  });
  assert.equal(config.blobUrl, 's3://samples/assay');
  assert.equal(config.s3Endpoint, 'http://minio:9000');
  assert.equal(config.s3ForcePathStyle, true);
  assert.equal(config.awsRegion, 'eu-west-1');
  assert.equal(config.queue, 'bullmq');
  assert.deepEqual(parseKindLimits(config.jobKindConcurrency), { 'analyse-url': 2, retrohunt: 1 });
  assert.equal(loadConfig({}, { ASSAY_S3_FORCE_PATH_STYLE: '0' }).s3ForcePathStyle, false);
});

test('mistakes are refused at start, naming the variable', () => {
  assert.throws(() => loadConfig({}, { ASSAY_QUEUE: 'bullmq' }), /ASSAY_QUEUE: bullmq needs ASSAY_REDIS_URL/);
  assert.throws(() => loadConfig({}, { ASSAY_QUEUE: 'kafka' }), /ASSAY_QUEUE/);
  assert.throws(() => loadConfig({}, { ASSAY_BLOB_URL: '/var/lib/blobs' }), /ASSAY_BLOB_URL/);
  assert.throws(() => loadConfig({}, { ASSAY_S3_FORCE_PATH_STYLE: 'yes' }), /ASSAY_S3_FORCE_PATH_STYLE/);
  assert.throws(() => loadConfig({}, { ASSAY_JOB_KIND_CONCURRENCY: 'analyse-url' }), /ASSAY_JOB_KIND_CONCURRENCY/);
  assert.throws(() => loadConfig({}, { ASSAY_QUEUE_PREFIX: 'a:b' }), /ASSAY_QUEUE_PREFIX/);
});
