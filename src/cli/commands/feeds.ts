/** `assay feeds import FORMAT FILE_OR_URL` and `assay feeds list`: threat feeds in the store, as its operator (no API key). */
import cliProgress from 'cli-progress';
import { Argument, Command } from 'commander';
import { feedFormatNames, type FeedFormatName, type ImportFeedResult } from '../../app/feeds/index.js';
import type { ImportPassiveDnsResult } from '../../app/feeds/import-passive-dns.js';
import type { ImportPopularityResult } from '../../app/feeds/import-popularity.js';
import {
  type CliIo,
  commandFlags,
  EXIT_OK,
  formatBytes,
  formatDate,
  formatTable,
  type OutputStream,
  registerClientCommand,
  runAction,
  runClientCommand,
  UsageError,
  writeJson,
  writeLine,
} from '../output.js';
import { serverOptions, type ServerFlags } from './server-options.js';
import { withStore } from './with-store.js';

const PARENTS = ['feeds'] as const;
/** Smaller feeds import before a bar would be drawn. */
const BAR_MIN_BYTES = 1024 * 1024;

interface ImportFlags extends ServerFlags {
  name?: string;
}

interface ListFlags extends ServerFlags {
  json?: boolean;
}

function buildImport(io: CliIo, done: (code: number) => void): Command {
  return serverOptions(new Command('import'))
    .description('import a feed file or URL; a re-import of the same feed replaces it whole')
    .addArgument(
      new Argument('<format>', 'feed format; tranco for a rank,domain popularity list; pdns for passive-DNS JSON lines').choices([...feedFormatNames, 'tranco', 'pdns']),
    )
    .argument('<source>', 'file path (.gz is unpacked) or http(s) URL')
    .option('--name <name>', 'engine name in analysis results (required for plain; default URLhaus, OpenPhish, PhishTank)')
    .action(async (format: FeedFormatName | 'tranco' | 'pdns', source: string, _options: unknown, command: Command) => {
      const flags = commandFlags<ImportFlags>(command);
      if (format === 'tranco') done(await runPopularityImport(source, flags, io));
      else if (format === 'pdns') done(await runPassiveDnsImport(source, flags, io));
      else done(await runImport(format, source, flags, io));
    });
}

function buildList(io: CliIo, done: (code: number) => void): Command {
  return serverOptions(new Command('list'))
    .description('list imported feeds: format, entries, when imported, feed date, source')
    .option('--json', 'print JSON on stdout')
    .action(async (_options: unknown, command: Command) => {
      done(await runList(commandFlags<ListFlags>(command), io));
    });
}

export function registerFeeds(program: Command): void {
  registerClientCommand(program, PARENTS, buildImport);
  registerClientCommand(program, PARENTS, buildList);
}

/** Runs `assay feeds import` with `args` (what follows `feeds import`) in-process; resolves to the exit code. */
export function runFeedsImport(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildImport, args, io);
}

/** Runs `assay feeds list` with `args` in-process; resolves to the exit code. */
export function runFeedsList(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildList, args, io);
}

async function runImport(format: FeedFormatName, source: string, flags: ImportFlags, io: CliIo): Promise<number> {
  return runAction(io, async () => {
    if (format === 'plain' && flags.name === undefined) throw new UsageError('a plain list needs --name NAME: the engine name its verdicts appear under');
    const bar = io.stderr.isTTY ? byteBar(io.stderr) : undefined;
    let result: ImportFeedResult;
    try {
      result = await withStore(flags, io.env, (services, operator) =>
        services.feeds.importFeed(
          { format, source, ...(flags.name !== undefined ? { name: flags.name } : {}), ...(bar ? { onProgress: bar.update } : {}) },
          operator,
        ),
      );
    } finally {
      bar?.stop();
    }
    const { stats } = result;
    const reasons = [stats.malformed ? `${stats.malformed} malformed` : '', stats.tooLong ? `${stats.tooLong} too long` : ''].filter(Boolean);
    for (const line of formatTable([
      ['feed', `${result.name} (${result.format})`],
      ['entries', String(result.entries)],
      ['skipped', `${result.skipped} lines${reasons.length ? ` (${reasons.join(', ')})` : ''}`],
      ['feed date', formatDate(result.feedDate)],
      ['source', result.source],
    ])) {
      writeLine(io.stdout, line);
    }
    return EXIT_OK;
  });
}

/** Passive-DNS JSON lines into resolutions (docs/intel.md); --name is the resolver recorded where a line names none. */
async function runPassiveDnsImport(source: string, flags: ImportFlags, io: CliIo): Promise<number> {
  return runAction(io, async () => {
    const bar = io.stderr.isTTY ? byteBar(io.stderr) : undefined;
    let result: ImportPassiveDnsResult;
    try {
      result = await withStore(flags, io.env, (services, operator) =>
        services.feeds.importPassiveDns({ source, ...(flags.name !== undefined ? { resolver: flags.name } : {}), ...(bar ? { onProgress: bar.update } : {}) }, operator),
      );
    } finally {
      bar?.stop();
    }
    for (const line of formatTable([
      ['resolutions', String(result.resolutions)],
      ['skipped', `${result.skipped} lines`],
      ['source', result.source],
    ])) {
      writeLine(io.stdout, line);
    }
    return EXIT_OK;
  });
}

/** A top-sites list into popularity_ranks (docs/intel.md). */
async function runPopularityImport(source: string, flags: ImportFlags, io: CliIo): Promise<number> {
  return runAction(io, async () => {
    const bar = io.stderr.isTTY ? byteBar(io.stderr) : undefined;
    let result: ImportPopularityResult;
    try {
      result = await withStore(flags, io.env, (services, operator) =>
        services.feeds.importPopularity({ source, ...(flags.name !== undefined ? { name: flags.name } : {}), ...(bar ? { onProgress: bar.update } : {}) }, operator),
      );
    } finally {
      bar?.stop();
    }
    for (const line of formatTable([
      ['ranks', `${result.name}`],
      ['entries', String(result.entries)],
      ['skipped', `${result.skipped} lines`],
      ['source', result.source],
    ])) {
      writeLine(io.stdout, line);
    }
    return EXIT_OK;
  });
}

async function runList(flags: ListFlags, io: CliIo): Promise<number> {
  return runAction(io, async () => {
    const feeds = await withStore(flags, io.env, (services, operator) => services.feeds.list(operator));
    if (flags.json) {
      writeJson(io.stdout, feeds);
      return EXIT_OK;
    }
    const rows = feeds.map((f) => [f.name, f.format, String(f.entries), formatDate(f.importedAt), formatDate(f.feedDate), f.source ?? '-']);
    for (const line of formatTable(rows, ['NAME', 'FORMAT', 'ENTRIES', 'IMPORTED', 'FEED DATE', 'SOURCE'])) writeLine(io.stdout, line);
    return EXIT_OK;
  });
}

/** A byte bar on a terminal, drawn only once the source is known to be large. */
function byteBar(stderr: OutputStream): { update: (read: number, total: number | undefined, entries: number) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(read, total, entries) {
      if (total === undefined || total < BAR_MIN_BYTES) return;
      const detail = `${formatBytes(read)}/${formatBytes(total)}, ${entries} entries`;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          // As in `scan file`: hiding the cursor would leave the terminal broken after Ctrl-C.
          { stream: stderr, hideCursor: false, linewrap: true, clearOnComplete: false, barsize: 30, format: 'feed [{bar}] {percentage}% {detail}' },
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
