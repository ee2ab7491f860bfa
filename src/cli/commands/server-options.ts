/** Flags shared by the commands that open the data store directly (serve, worker, user, migrate). */
import type { Command } from 'commander';
import type { ConfigInput } from '../../config/config.js';

export interface ServerFlags {
  data?: string;
  databaseUrl?: string;
}

export function serverOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data directory for the embedded store, blobs and rules (ASSAY_DATA_DIR)')
    .option('--database-url <url>', 'postgres://... to keep metadata in PostgreSQL (ASSAY_DATABASE_URL)');
}

export const toConfigInput = (flags: ServerFlags): ConfigInput => ({ dataDir: flags.data, databaseUrl: flags.databaseUrl });
