/** The options `assay scan file` and `assay scan url` share: waiting, its bounds, and how many at once. */
import { InvalidArgumentError, type Command } from 'commander';
import type { ClientFlags } from '../output.js';

export interface ScanFlags extends ClientFlags {
  wait: boolean;
  timeout: number;
  pollInterval: number;
  concurrency: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `what` names the items in help text: "files uploaded at the same time". */
export function withScanOptions(command: Command, what: string): Command {
  return command
    .option('--no-wait', 'print the analysis ids without waiting for results')
    .option('--timeout <seconds>', 'give up waiting for an analysis after this long', positiveInt, 600)
    .option('--poll-interval <ms>', 'delay between analysis status checks', positiveInt, 1000)
    .option('--concurrency <n>', `${what} at the same time`, positiveInt, 4);
}
