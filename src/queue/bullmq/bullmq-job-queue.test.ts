/** BullmqJobQueue against the JobQueue contract, on a real Redis (test/support/redis.ts), each test under a key prefix of its own. */
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl } from '../../../test/support/redis.js';
import { runJobQueueContract, type JobQueueHarness } from '../contract.case.test.js';
import { BullmqJobQueue } from './bullmq-job-queue.js';

runJobQueueContract('bullmq', async (): Promise<JobQueueHarness> => {
  const url = await testRedisUrl();
  // A prefix per test keeps tests apart on a shared server; its keys are deleted afterwards.
  const prefix = testRedisPrefix().slice(0, -1);
  const queues: BullmqJobQueue[] = [];
  return {
    clock: 'real',
    async open() {
      const queue = await BullmqJobQueue.open(url, { prefix, stalledCheckMs: 50 });
      queues.push(queue);
      return queue;
    },
    async dispose() {
      await Promise.all(queues.map((q) => q.close()));
      const redis = new Redis(url);
      try {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        await redis.quit();
      }
    },
  };
});
