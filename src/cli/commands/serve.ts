/** `assay serve`: API, in-process workers and engines on one machine; prints URL, engines and a key. */
import type { Command } from 'commander';
import { buildApp } from '../../api/build-app.js';
import { operatorPrincipal } from '../../app/accounts/operator.js';
import { isAppError } from '../../core/errors.js';
import { loadConfig } from '../../config/config.js';
import { buildContainer } from '../../bootstrap/container.js';
import { createLogger } from '../logger.js';
import { serverOptions, type ServerFlags, toConfigInput } from './server-options.js';

export function registerServe(program: Command): void {
  serverOptions(
    program
      .command('serve')
      .description('run the API, the engines and the in-process analysis workers')
      .option('--host <host>', 'address to listen on (ASSAY_HOST)')
      .option('--port <port>', 'port to listen on, 0 for any free port (ASSAY_PORT)')
      .option('--public-url <url>', 'absolute base URL used in links (ASSAY_PUBLIC_URL)')
      .option('--workers <n>', 'in-process analysis workers, 0 for none (ASSAY_WORKER_CONCURRENCY)'),
  ).action(async (flags: ServerFlags & { host?: string; port?: string; publicUrl?: string; workers?: string }) => {
    const config = loadConfig({
      ...toConfigInput(flags),
      host: flags.host,
      port: flags.port,
      publicUrl: flags.publicUrl,
      workerConcurrency: flags.workers,
    });
    const logger = createLogger(config.logLevel);
    const container = await buildContainer(config, logger);
    const statuses = await container.start({ runWorkers: true, acceptUploads: true });
    const out = (line = '') => process.stdout.write(`${line}\n`);

    out('Engines, analyzers, URL engines and intel sources:');
    for (const s of statuses) {
      const state = s.readiness.ready ? 'ready    ' : 'NOT READY';
      const version = [s.readiness.engineVersion, s.readiness.signatureVersion].filter(Boolean).join(' / ');
      out(`  ${state} ${s.kind.padEnd(13)} ${s.name.padEnd(20)} ${version}${s.readiness.detail ? `  (${s.readiness.detail})` : ''}`);
    }

    let publicUrl = config.publicUrl?.replace(/\/+$/, '') ?? '';
    const app = await buildApp({
      services: container.services,
      config,
      logger: logger.child({ part: 'api' }),
      publicBaseUrl: () => publicUrl,
    });
    const address = await app.listen({ host: config.host, port: config.port });
    if (!publicUrl) publicUrl = address.replace('0.0.0.0', '127.0.0.1');
    out();
    out(`Assay is listening on ${publicUrl}  (API: ${publicUrl}/api/v3, health: ${publicUrl}/healthz)`);
    out(`Data directory: ${config.dataDir}${config.databaseUrl ? ' (metadata in PostgreSQL)' : ''}`);

    if (config.bootstrapApiKey) {
      out('Admin API key: the value of ASSAY_BOOTSTRAP_API_KEY');
    } else {
      // The first start creates `admin`; later starts find it there.
      const created = await container.services.accounts.createUser({ name: 'admin', admin: true }, operatorPrincipal).catch((error: unknown) => {
        if (isAppError(error) && error.code === 'AlreadyExistsError') return undefined;
        throw error;
      });
      if (created) {
        out('Created the admin user. Its API key (shown once, stored hashed):');
        out(`  ${created.apiKey}`);
      } else {
        out('An admin user exists; make another key with: npx assay user create NAME --admin');
      }
    }

    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, 'shutting down');
      await app.close();
      await container.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  });
}
