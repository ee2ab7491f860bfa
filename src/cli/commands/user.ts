/** `assay user create`: makes a user and prints its API key as the last line of stdout. */
import type { Command } from 'commander';
import { createUser } from '../../app/users.js';
import { openStore } from '../../bootstrap/container.js';
import { loadConfig } from '../../config/config.js';
import { serverOptions, type ServerFlags, toConfigInput } from './server-options.js';

export function registerUser(program: Command): void {
  const user = program.command('user').description('manage users and their API keys');
  serverOptions(
    user
      .command('create <name>')
      .description('create a user and print a new API key (stored hashed, shown once)')
      .option('--admin', 'grant admin rights (downloads, user management)')
      .option('--tier <tier>', 'quota tier', 'public'),
  ).action(async (name: string, flags: ServerFlags & { admin?: boolean; tier: string }) => {
    const config = loadConfig(toConfigInput(flags));
    const { store, close } = await openStore(config);
    try {
      const { user: created, apiKey } = await createUser({ store, now: Date.now }, { name, admin: flags.admin, tier: flags.tier });
      process.stderr.write(`created user "${created.name}"${created.isAdmin ? ' (admin)' : ''}, tier ${created.tier}\n`);
      process.stdout.write(`${apiKey}\n`);
    } finally {
      await close();
    }
  });
}
