/** `assay worker`: analysis workers only, sharing the store, blobs and queue of a server (scale-out). */
import type { Command } from 'commander';
import { buildContainer } from '../../bootstrap/container.js';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../logger.js';
import { serverOptions, type ServerFlags, toConfigInput } from './server-options.js';

export function registerWorker(program: Command): void {
  serverOptions(
    program
      .command('worker')
      .description('run analysis workers only, against the same store and blobs as `assay serve`')
      .option('--workers <n>', 'concurrent analyses (ASSAY_WORKER_CONCURRENCY)'),
  ).action(async (flags: ServerFlags & { workers?: string }) => {
    const config = loadConfig({ ...toConfigInput(flags), workerConcurrency: flags.workers });
    const logger = createLogger(config.logLevel);
    const container = await buildContainer(config, logger);
    const statuses = await container.start({ runWorkers: true, acceptUploads: false });
    for (const s of statuses) logger.info({ plugin: s.name, kind: s.kind, ...s.readiness }, s.readiness.ready ? 'plugin ready' : 'plugin not ready');
    logger.info({ workerId: container.workers.workerId, concurrency: config.workerConcurrency }, 'worker started');
    const shutdown = async () => {
      await container.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown());
    process.once('SIGTERM', () => void shutdown());
  });
}
