/** `assay file HASH`: a readable report of GET /files/{hash} (or the raw object with --json). */
import { Command } from 'commander';
import { pathSegment, VtClient, type VtObject } from '../../client/vt-client.js';
import { loadClientConfig, requireApiKey } from '../../config/client-config.js';
import {
  type CliIo,
  type ClientFlags,
  commandFlags,
  EXIT_OK,
  formatBytes,
  formatDate,
  formatTable,
  registerClientCommand,
  runAction,
  runClientCommand,
  summarizeVerdicts,
  UsageError,
  withClientOptions,
  writeJson,
  writeLine,
} from '../output.js';
import { cell, engineTable, statsText, stringsOf } from '../report-format.js';

const PARENTS = [] as const;
const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i;

function buildCommand(io: CliIo, done: (code: number) => void): Command {
  return withClientOptions(new Command('file'))
    .description('show the report of a file by md5, sha1 or sha256')
    .argument('<hash>', 'md5, sha1 or sha256 of the file')
    .action(async (hash: string, _options: unknown, command: Command) => {
      done(await lookupFile(hash, commandFlags<ClientFlags>(command), io));
    });
}

export function registerLookupFile(program: Command): void {
  registerClientCommand(program, PARENTS, buildCommand);
}

/** Runs `assay file` with `args` (what follows `file`) in-process; resolves to the exit code. */
export function runLookupFile(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildCommand, args, io);
}

async function lookupFile(hash: string, flags: ClientFlags, io: CliIo): Promise<number> {
  let server: string | undefined;
  return runAction(
    io,
    async () => {
      if (!HASH.test(hash)) throw new UsageError(`"${hash}" is not an md5, sha1 or sha256 hex digest`);
      const config = loadClientConfig(flags, io.env);
      server = config.server;
      const client = new VtClient({ server: config.server, apiKey: requireApiKey(config), agent: 'assay-cli' });
      const file = await client.getObject(`/files/${pathSegment(hash.toLowerCase())}`);
      if (flags.json) writeJson(io.stdout, file);
      else for (const line of fileReport(file)) writeLine(io.stdout, line);
      return EXIT_OK;
    },
    () => server,
  );
}

export function fileReport(file: VtObject): string[] {
  const a = file.attributes;
  const names = stringsOf(a.names);
  const size = typeof a.size === 'number' ? `${a.size} bytes${a.size >= 1024 ? ` (${formatBytes(a.size)})` : ''}` : '-';
  const { malicious, total } = summarizeVerdicts(a.last_analysis_stats, a.last_analysis_results);

  const lines = formatTable([
    ['sha256', cell(a.sha256 ?? file.id)],
    ['sha1', cell(a.sha1)],
    ['md5', cell(a.md5)],
    ['names', names.length ? names.join(', ') : '-'],
    ['size', size],
    ['type', cell(a.type_description)],
    ['magic', cell(a.magic)],
    ['magika', cell(a.magika)],
    ['ssdeep', cell(a.ssdeep)],
    ['tlsh', cell(a.tlsh)],
    ['last analysis', formatDate(a.last_analysis_date)],
    ['detections', `${malicious}/${total}`],
    ['stats', statsText(a.last_analysis_stats)],
  ]);
  return [...lines, '', ...engineTable(a.last_analysis_results)];
}
