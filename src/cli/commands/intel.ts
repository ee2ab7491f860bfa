/** `assay intel refresh`: downloads IANA's RDAP bootstrap registries into the data directory. */
import { Command } from 'commander';
import { refreshIntelRegistries } from '../../app/intel-refresh.js';
import { rdapRegistrySource } from '../../bootstrap/operator.js';
import { loadConfig } from '../../config/config.js';
import { type CliIo, commandFlags, EXIT_OK, formatTable, registerClientCommand, runAction, runClientCommand, UsageError, writeLine } from '../output.js';

const PARENTS = ['intel'] as const;
/** IANA's dns.json is ~100 KB today; room to grow, still a bound on what a mirror can make us hold. */
const REGISTRY_MAX_BYTES = 16 * 1024 * 1024;
const registries = rdapRegistrySource({ maxBytes: REGISTRY_MAX_BYTES });

interface RefreshFlags {
  data?: string;
  from?: string;
}

function buildRefresh(io: CliIo, done: (code: number) => void): Command {
  return new Command('refresh')
    .description('download the RDAP bootstrap registries (which server answers WHOIS for each TLD, IP block, AS) into DATA/registries/rdap')
    .option('--data <dir>', 'data directory (ASSAY_DATA_DIR)')
    .option('--from <url>', 'base URL serving dns.json, ipv4.json, ipv6.json and asn.json', registries.defaultBaseUrl)
    .action(async (_options: unknown, command: Command) => {
      done(await refresh(commandFlags<RefreshFlags>(command), io));
    });
}

export function registerIntel(program: Command): void {
  registerClientCommand(program, PARENTS, buildRefresh);
}

/** Runs `assay intel refresh` with `args` in-process; resolves to the exit code. */
export function runIntelRefresh(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildRefresh, args, io);
}

async function refresh(flags: RefreshFlags, io: CliIo): Promise<number> {
  return runAction(io, async () => {
    const from = flags.from ?? registries.defaultBaseUrl;
    if (!/^https?:\/\/[^/]/i.test(from)) throw new UsageError(`--from: expected an http(s) URL, got "${from}"`);
    const config = loadConfig({ dataDir: flags.data }, io.env);
    const result = await refreshIntelRegistries({ dataDir: config.dataDir, source: registries, baseUrl: from });
    const rows = registries.registries.map((registry) => [`${registry}.json`, `published ${result.publications[registry]}`]);
    for (const line of formatTable(rows)) writeLine(io.stdout, line);
    writeLine(io.stderr, `saved to ${result.dir} (from ${result.baseUrl})`);
    return EXIT_OK;
  });
}
