/** What `assay user`, `assay key` and `assay group` share: the account use cases as the store's operator, option parsers, tables. */
import { InvalidArgumentError, type Command } from 'commander';
import type { AccountService, QuotaOverridesPatch } from '../../app/accounts/index.js';
import type { Principal } from '../../app/principal.js';
import { formatDate, formatTable } from '../output.js';
import { serverOptions, type ServerFlags } from './server-options.js';
import { withStore } from './with-store.js';

/**
 * Runs `use` with the account use cases over the store named by --data / --database-url (or the
 * environment), as its operator, closing the store after. No API key is involved (see with-store.ts).
 */
export async function withAccounts<T>(flags: ServerFlags, use: (accounts: AccountService, operator: Principal) => Promise<T>): Promise<T> {
  return withStore(flags, undefined, (services, operator) => use(services.accounts, operator));
}

/** Adds a subcommand with the store options; commander hands the action its arguments, then the options. */
export function storeCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return serverOptions(parent.command(nameAndArgs).description(description));
}

/** Repeatable options (`--privilege a --privilege b`) collect into a list. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A limit: a positive integer, or `none` to remove the override. */
export function parseLimit(value: string): number | null {
  if (value === 'none') return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer, or "none"');
  return n;
}

export interface QuotaFlags {
  perMinute?: number | null;
  perDay?: number | null;
  perMonth?: number | null;
}

/** --per-minute, --per-day and --per-month, each a limit or `none`. */
export function quotaOptions(command: Command): Command {
  return command
    .option('--per-minute <n>', 'requests per minute (or "none" to remove the override)', parseLimit)
    .option('--per-day <n>', 'requests per UTC day (or "none")', parseLimit)
    .option('--per-month <n>', 'requests per UTC month (or "none")', parseLimit);
}

export function quotaPatch(flags: QuotaFlags): QuotaOverridesPatch {
  return {
    ...(flags.perMinute === undefined ? {} : { requestsPerMinute: flags.perMinute }),
    ...(flags.perDay === undefined ? {} : { requestsPerDay: flags.perDay }),
    ...(flags.perMonth === undefined ? {} : { requestsPerMonth: flags.perMonth }),
  };
}

export function describeQuotas(overrides: { requestsPerMinute?: number; requestsPerDay?: number; requestsPerMonth?: number }): string {
  const parts = [
    overrides.requestsPerMinute === undefined ? undefined : `${overrides.requestsPerMinute}/minute`,
    overrides.requestsPerDay === undefined ? undefined : `${overrides.requestsPerDay}/day`,
    overrides.requestsPerMonth === undefined ? undefined : `${overrides.requestsPerMonth}/month`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? '-' : parts.join(', ');
}

export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Progress and confirmations go to stderr, so stdout carries only what scripts read (keys, tables). */
export const note = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export const table = (rows: string[][], header: string[]): void => {
  for (const line of formatTable(rows, header)) out(line);
};

export const dateOrDash = (unixSeconds: number | null): string => (unixSeconds === null ? '-' : formatDate(unixSeconds));
