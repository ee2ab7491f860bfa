/** `assay hashes import FORMAT FILE_OR_URL --name NAME` and `assay hashes list`: hash lists in the store, directly (no API key). */
import cliProgress from 'cli-progress';
import { Argument, Command } from 'commander';
import type { ImportHashListResult } from '../../app/hash-lists/index.js';
import { HASH_LIST_FORMATS, type HashListFormat } from '../../engines/hashlist/index.js';
import { type CliIo, commandFlags, EXIT_OK, formatBytes, formatDate, formatTable, type OutputStream, registerClientCommand, runAction, runClientCommand, writeJson, writeLine } from '../output.js';
import { serverOptions, type ServerFlags } from './server-options.js';
import { withStore } from './with-store.js';

const PARENTS = ['hashes'] as const;

interface ImportFlags extends ServerFlags {
  name: string;
  knownGood?: boolean;
}

interface ListFlags extends ServerFlags {
  json?: boolean;
}

function buildImport(io: CliIo, done: (code: number) => void): Command {
  return serverOptions(new Command('import'))
    .description('import a hash list file or URL (known-bad unless --known-good); a re-import of the same name replaces it whole')
    .addArgument(new Argument('<format>', 'malwarebazaar: MalwareBazaar CSV export; plain: md5/sha1/sha256 per line, optionally a label after it').choices([...HASH_LIST_FORMATS]))
    .argument('<source>', 'file path (.gz is unpacked) or http(s) URL')
    .requiredOption('--name <name>', 'the list name shown in Assay-Hashlist results')
    .option('--known-good', 'an allow-list: files on it are answered harmless')
    .action(async (format: HashListFormat, source: string, _options: unknown, command: Command) => {
      done(await runImport(format, source, commandFlags<ImportFlags>(command), io));
    });
}

function buildList(io: CliIo, done: (code: number) => void): Command {
  return serverOptions(new Command('list'))
    .description('list imported hash lists: kind, format, entries, when imported, source')
    .option('--json', 'print JSON on stdout')
    .action(async (_options: unknown, command: Command) => {
      done(await runList(commandFlags<ListFlags>(command), io));
    });
}

export function registerHashes(program: Command): void {
  registerClientCommand(program, PARENTS, buildImport);
  registerClientCommand(program, PARENTS, buildList);
}

/** Runs `assay hashes import` with `args` in-process; resolves to the exit code. */
export function runHashesImport(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildImport, args, io);
}

/** Runs `assay hashes list` with `args` in-process; resolves to the exit code. */
export function runHashesList(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildList, args, io);
}

async function runImport(format: HashListFormat, source: string, flags: ImportFlags, io: CliIo): Promise<number> {
  return runAction(io, async () => {
    const bar = io.stderr.isTTY ? progressBar(io.stderr) : undefined;
    let result: ImportHashListResult;
    try {
      result = await withStore(flags, io.env, (services, operator) =>
        services.hashLists.importHashList({ format, source, name: flags.name, kind: flags.knownGood ? 'known-good' : 'known-bad', ...(bar ? { onProgress: bar.update } : {}) }, operator),
      );
    } finally {
      bar?.stop();
    }
    for (const line of formatTable([
      ['list', `${result.name} (${result.kind}, ${result.format})`],
      ['hashes', String(result.entries)],
      ['skipped', `${result.malformed} malformed lines`],
      ['source', result.source],
    ])) {
      writeLine(io.stdout, line);
    }
    return EXIT_OK;
  });
}

async function runList(flags: ListFlags, io: CliIo): Promise<number> {
  return runAction(io, async () => {
    const lists = await withStore(flags, io.env, (services, operator) => services.hashLists.list(operator));
    if (flags.json) {
      writeJson(io.stdout, lists);
      return EXIT_OK;
    }
    const rows = lists.map((l) => [l.name, l.kind, l.format, String(l.entries), formatDate(l.importedAt), l.source ?? '-']);
    for (const line of formatTable(rows, ['NAME', 'KIND', 'FORMAT', 'HASHES', 'IMPORTED', 'SOURCE'])) writeLine(io.stdout, line);
    return EXIT_OK;
  });
}

/** A byte bar on a terminal (as `feeds import` draws). */
function progressBar(stderr: OutputStream): { update: (read: number, total: number | undefined, entries: number) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(read, total, entries) {
      if (total === undefined) return;
      const detail = `${formatBytes(read)}/${formatBytes(total)}, ${entries} hashes`;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: stderr, hideCursor: false, linewrap: true, clearOnComplete: false, barsize: 30, format: 'hashes [{bar}] {percentage}% {detail}' },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { detail });
      }
      bar.update(read, { detail });
    },
    stop() {
      bar?.stop();
    },
  };
}
