/**
 * What the client commands share: the injectable io (so tests run commands in-process), exit codes,
 * error messages, tables and dates, and the commander plumbing that gives every client command the
 * same options and exit-code rules whether main.ts runs it or a test does.
 */
import { Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { VtApiError, VtProtocolError } from '../client/vt-client.js';
import { ClientConfigError, type ClientConfigFlags } from '../config/client-config.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Environment for the client configuration; absent means the process environment (read in src/config/). */
  env?: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

export interface MemoryIo extends CliIo {
  out(): string;
  err(): string;
}

/** Io that keeps what was written, for tests and for embedding a command; `tty` makes stderr look like a terminal. */
export function memoryIo(options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}): MemoryIo {
  const sink = () => {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    });
    return { stream, text: () => text };
  };
  const out = sink();
  const err = sink();
  const stderr: OutputStream = Object.assign(err.stream, options.tty ? { isTTY: true, columns: 100 } : {});
  return { stdout: out.stream, stderr, env: options.env ?? {}, out: out.text, err: err.text };
}

/** A mistake on the command line found after commander's parsing; exits with EXIT_USAGE. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ClientFlags extends ClientConfigFlags {
  json?: boolean;
}

/** One line explaining a failure to a person; `server` names the host when it could not be reached. */
export function describeError(err: unknown, server?: string): string {
  if (err instanceof VtApiError) {
    const message = err.message.length > 300 ? `${err.message.slice(0, 300)}...` : err.message;
    const status = err.status ? ` (HTTP ${err.status})` : '';
    return message ? `${err.code}: ${message}${status}` : `${err.code}${status}`;
  }
  if (err instanceof VtProtocolError) return `the server broke the VirusTotal API contract: ${err.message}`;
  if (err instanceof Error && err.name === 'TimeoutError') return `request timed out${server ? ` (${server})` : ''}`;
  // Node's fetch reports connection problems as TypeError("fetch failed") with the socket error as cause.
  if (err instanceof TypeError && err.message === 'fetch failed') {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    return `cannot reach ${server ?? 'the server'}: ${cause?.code ?? cause?.message ?? 'connection failed'}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof ClientConfigError ? EXIT_USAGE : EXIT_FAILURE;
}

export function writeLine(stream: OutputStream, line = ''): void {
  stream.write(`${line}\n`);
}

export function writeJson(stream: OutputStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to the widest cell, two spaces apart; the last column is never padded. */
export function formatTable(rows: readonly (readonly string[])[], header?: readonly string[]): string[] {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return all.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Unix seconds (VT's `*_date`) as `YYYY-MM-DD HH:MM:SS UTC`; `-` when absent. */
export function formatDate(unixSeconds: unknown): string {
  if (typeof unixSeconds !== 'number' || !Number.isFinite(unixSeconds)) return '-';
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `--server`, `--apikey` and `--json`, on every client command (flags win over ASSAY_SERVER / ASSAY_API_KEY). */
export function withClientOptions(command: Command): Command {
  return command
    .option('--server <url>', 'Assay server base URL (ASSAY_SERVER, default http://127.0.0.1:8080)')
    .option('--apikey <key>', 'API key (ASSAY_API_KEY)')
    .option('--json', 'print JSON on stdout');
}

/** Options of the command, with those of its ancestors filling in only what the command left unset. */
export function commandFlags<T extends object>(command: Command): T {
  const merged: Record<string, unknown> = {};
  const chain: Command[] = [];
  for (let c: Command | null = command; c; c = c.parent) chain.unshift(c);
  for (const c of chain) for (const [k, v] of Object.entries(c.opts())) if (v !== undefined) merged[k] = v;
  return merged as T;
}

/** Runs a command body, turning any throw into a message on stderr and an exit code. */
export async function runAction(io: CliIo, body: () => Promise<number>, server?: () => string | undefined): Promise<number> {
  try {
    return await body();
  } catch (err) {
    writeLine(io.stderr, `assay: ${describeError(err, server?.())}`);
    return exitCodeOf(err);
  }
}

/** Builds a command bound to an io; `done` receives the exit code of the action. */
export type CommandFactory = (io: CliIo, done: (code: number) => void) => Command;

function findOrCreate(parent: Command, name: string, description: string): Command {
  return parent.commands.find((c) => c.name() === name) ?? parent.command(name).description(description);
}

const parentDescriptions: Record<string, string> = {
  scan: 'submit files or URLs for analysis',
  feeds: 'import URL threat feeds (URLhaus, OpenPhish, PhishTank, plain lists) into the store',
  intel: 'maintain the registries domain and IP intelligence relies on',
};

/**
 * Adds the command under `program` (creating or reusing parents such as `scan`, so `scan file` and
 * `scan url` share one). Usage errors are thrown as CommanderError for main.ts to map to exit 2; the
 * action's exit code goes to process.exitCode.
 */
export function registerClientCommand(program: Command, parents: readonly string[], factory: CommandFactory): Command {
  let parent = program;
  for (const name of parents) parent = findOrCreate(parent, name, parentDescriptions[name] ?? '');
  const command = factory(processIo(), (code) => {
    process.exitCode = code;
  });
  // addCommand (unlike .command()) does not inherit; take main's settings, then make sure usage
  // errors throw rather than exit 1 from inside commander.
  command.copyInheritedSettings(parent);
  command.exitOverride();
  parent.addCommand(command);
  return command;
}

/** Runs the command on `args` (what follows its name) with `io`, in-process; resolves to the exit code. */
export async function runClientCommand(parents: readonly string[], factory: CommandFactory, args: readonly string[], io: CliIo): Promise<number> {
  let code = EXIT_OK;
  const root = new Command('assay').exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  let parent = root;
  for (const name of parents) parent = parent.command(name);
  const command = factory(io, (c) => {
    code = c;
  });
  command.copyInheritedSettings(parent);
  parent.addCommand(command);
  try {
    await root.parseAsync([...parents, command.name(), ...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    writeLine(io.stderr, `assay: ${describeError(err)}`);
    return EXIT_FAILURE;
  }
  return code;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface VerdictSummary {
  malicious: number;
  /** Engines that gave a verdict (malicious, suspicious, undetected, harmless), as VT's "5/60" counts them. */
  total: number;
  /** `engine: result` for malicious and suspicious verdicts, by engine name. */
  detections: string[];
}

/** Reads VT's stats and per-engine results (an analysis's `stats`/`results` or a file's `last_analysis_*`). */
export function summarizeVerdicts(stats: unknown, results: unknown): VerdictSummary {
  const s = isRecord(stats) ? stats : {};
  const count = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
  const entries = isRecord(results) ? Object.entries(results).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1])) : [];
  const detections = entries
    .filter(([, r]) => r.category === 'malicious' || r.category === 'suspicious')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([engine, r]) => `${engine}: ${typeof r.result === 'string' && r.result ? r.result : String(r.category)}`);
  return {
    malicious: count('malicious'),
    total: count('malicious') + count('suspicious') + count('undetected') + count('harmless'),
    detections,
  };
}
