/** `assay engines`: the server's engines, analyzers, URL engines and intel sources from GET /api/v3/metadata, ready or not, with versions. */
import { Command } from 'commander';
import { VtClient, VtProtocolError } from '../../client/vt-client.js';
import { loadClientConfig, requireApiKey } from '../../config/client-config.js';
import {
  type CliIo,
  type ClientFlags,
  commandFlags,
  EXIT_OK,
  formatTable,
  registerClientCommand,
  runAction,
  runClientCommand,
  withClientOptions,
  writeJson,
  writeLine,
} from '../output.js';

const PARENTS = [] as const;

function buildCommand(io: CliIo, done: (code: number) => void): Command {
  return withClientOptions(new Command('engines'))
    .description('list the server engines, analyzers, URL engines and intel sources, whether they are ready, and their versions')
    .action(async (_options: unknown, command: Command) => {
      done(await listEngines(commandFlags<ClientFlags>(command), io));
    });
}

export function registerEngines(program: Command): void {
  registerClientCommand(program, PARENTS, buildCommand);
}

/** Runs `assay engines` with `args` (what follows `engines`) in-process; resolves to the exit code. */
export function runEngines(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildCommand, args, io);
}

async function listEngines(flags: ClientFlags, io: CliIo): Promise<number> {
  let server: string | undefined;
  return runAction(
    io,
    async () => {
      const config = loadClientConfig(flags, io.env);
      server = config.server;
      const client = new VtClient({ server: config.server, apiKey: requireApiKey(config), agent: 'assay-cli' });
      const data = await client.getData('/metadata');
      if (flags.json) {
        writeJson(io.stdout, data);
        return EXIT_OK;
      }
      const rows = engineRows(data);
      if (rows.length === 0) writeLine(io.stdout, 'the server lists no engines');
      else for (const line of formatTable(rows, ['ENGINE', 'KIND', 'STATUS', 'VERSION', 'SIGNATURES', 'DETAIL'])) writeLine(io.stdout, line);
      return EXIT_OK;
    },
    () => server,
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const first = (entry: Record<string, unknown>, keys: readonly string[]): string => {
  for (const k of keys) {
    const v = entry[k];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') return String(v);
  }
  return '-';
};

/**
 * Rows from `data.engines` and `data.analyzers`, each a map of name to entry. Our API sends the
 * manifest plus `ready`, `detail`, `engine_version`, `engine_update` (src/api/routes/metadata.ts);
 * VT documents no fields for these entries, so other common spellings are read too: kind|category,
 * status, signature_version|signatures, reason. VERSION falls back to the plugin's own version.
 */
export function engineRows(data: unknown): string[][] {
  if (!isRecord(data)) throw new VtProtocolError('metadata data is not a dictionary');
  const rows: string[][] = [];
  for (const [group, kind] of [
    ['engines', 'engine'],
    ['analyzers', 'analyzer'],
    ['url_engines', 'url-engine'],
    ['intel_sources', 'intel'],
  ] as const) {
    const entries = data[group];
    if (!isRecord(entries)) continue;
    for (const [name, raw] of Object.entries(entries)) {
      const entry = isRecord(raw) ? raw : {};
      const ready = typeof entry.ready === 'boolean' ? entry.ready : entry.status === 'ready' ? true : entry.status === undefined ? undefined : false;
      const status = ready === undefined ? '-' : ready ? 'ready' : 'not ready';
      rows.push([
        name,
        first(entry, ['kind', 'category']) === '-' ? kind : first(entry, ['kind', 'category']),
        status,
        first(entry, ['engine_version', 'version']),
        first(entry, ['signature_version', 'engine_update', 'signatures']),
        first(entry, ['detail', 'reason']) === '-' ? '' : first(entry, ['detail', 'reason']),
      ]);
    }
  }
  return rows;
}
