/** The `assay` command: registers every subcommand and turns failures into a message and exit code. */
import { Command, CommanderError } from 'commander';
import { isAppError } from '../core/errors.js';
import { registerEngines } from './commands/engines.js';
import { registerFeeds } from './commands/feeds.js';
import { registerHashes } from './commands/hashes.js';
import { registerGroup } from './commands/group.js';
import { registerIntel } from './commands/intel.js';
import { registerKey } from './commands/key.js';
import { registerLookupDomain } from './commands/lookup-domain.js';
import { registerLookupFile } from './commands/lookup-file.js';
import { registerLookupIp } from './commands/lookup-ip.js';
import { registerLookupUrl } from './commands/lookup-url.js';
import { registerMigrate } from './commands/migrate.js';
import { registerMigrateStore } from './commands/migrate-store.js';
import { registerScanFile } from './commands/scan-file.js';
import { registerScanUrl } from './commands/scan-url.js';
import { registerServe } from './commands/serve.js';
import { registerUser } from './commands/user.js';
import { registerWorker } from './commands/worker.js';

const program = new Command('assay')
  .description('Assay: a self-hosted, VirusTotal-compatible threat-analysis service')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerWorker(program);
registerUser(program);
registerKey(program);
registerGroup(program);
registerMigrate(program);
registerMigrateStore(program);
registerScanFile(program);
registerScanUrl(program);
registerLookupFile(program);
registerLookupUrl(program);
registerLookupDomain(program);
registerLookupIp(program);
registerEngines(program);
registerFeeds(program);
registerHashes(program);
registerIntel(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  const message = isAppError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  process.stderr.write(`assay: ${message}\n`);
  process.exit(1);
}
