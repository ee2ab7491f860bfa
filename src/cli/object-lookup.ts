/**
 * The shape shared by `assay url`, `assay domain` and `assay ip`: one argument, one GET through the
 * client, a readable report on stdout or the API's `data` object with --json.
 */
import { Command } from 'commander';
import { VtClient, type VtObject } from '../client/vt-client.js';
import { loadClientConfig, requireApiKey } from '../config/client-config.js';
import { type CliIo, type ClientFlags, type CommandFactory, commandFlags, EXIT_OK, runAction, withClientOptions, writeJson, writeLine } from './output.js';

export interface ObjectLookup {
  /** Command name, e.g. `domain`. */
  name: string;
  description: string;
  /** Argument name and help, e.g. ['name', 'domain name']. */
  argument: [string, string];
  /** The argument as it is sent; throws UsageError when it cannot be one. */
  check(argument: string): string;
  fetch(client: VtClient, value: string): Promise<VtObject>;
  report(object: VtObject): string[];
}

export function objectLookupCommand(lookup: ObjectLookup): CommandFactory {
  return (io, done) =>
    withClientOptions(new Command(lookup.name))
      .description(lookup.description)
      .argument(`<${lookup.argument[0]}>`, lookup.argument[1])
      .action(async (argument: string, _options: unknown, command: Command) => {
        done(await runLookup(lookup, argument, commandFlags<ClientFlags>(command), io));
      });
}

async function runLookup(lookup: ObjectLookup, argument: string, flags: ClientFlags, io: CliIo): Promise<number> {
  let server: string | undefined;
  return runAction(
    io,
    async () => {
      const value = lookup.check(argument);
      const config = loadClientConfig(flags, io.env);
      server = config.server;
      const client = new VtClient({ server: config.server, apiKey: requireApiKey(config), agent: 'assay-cli' });
      const object = await lookup.fetch(client, value);
      if (flags.json) writeJson(io.stdout, object);
      else for (const line of lookup.report(object)) writeLine(io.stdout, line);
      return EXIT_OK;
    },
    () => server,
  );
}
