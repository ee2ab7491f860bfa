/** `assay migrate`: applies pending schema migrations to the configured store. */
import type { Command } from 'commander';
import { openStore } from '../../bootstrap/container.js';
import { loadConfig } from '../../config/config.js';
import { serverOptions, type ServerFlags, toConfigInput } from './server-options.js';

export function registerMigrate(program: Command): void {
  serverOptions(program.command('migrate').description('apply pending database migrations (serve does this too)')).action(
    async (flags: ServerFlags) => {
      const { close } = await openStore(loadConfig(toConfigInput(flags)));
      await close();
      process.stdout.write('database is up to date\n');
    },
  );
}
