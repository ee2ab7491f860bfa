/** `assay scan file PATH...`: uploads files the way vt-py does, waits for their analyses, prints verdicts. */
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { VtClient, type VtObject } from '../../client/vt-client.js';
import { loadClientConfig, requireApiKey } from '../../config/client-config.js';
import { eachConcurrently } from '../each-concurrently.js';
import {
  type CliIo,
  commandFlags,
  describeError,
  EXIT_FAILURE,
  EXIT_OK,
  formatBytes,
  type OutputStream,
  registerClientCommand,
  runAction,
  runClientCommand,
  summarizeVerdicts,
  withClientOptions,
  writeJson,
  writeLine,
} from '../output.js';
import { withScanOptions, type ScanFlags } from './scan-options.js';

const PARENTS = ['scan'] as const;
/** Uploads at least this big get their own byte bar; smaller ones finish before a bar would help. */
const BYTE_BAR_MIN_BYTES = 1024 * 1024;

type ScanFileFlags = ScanFlags;

interface Outcome {
  path: string;
  sha256?: string;
  analysis?: VtObject;
  error?: unknown;
}


function buildCommand(io: CliIo, done: (code: number) => void): Command {
  return withScanOptions(withClientOptions(new Command('file')), 'files uploaded')
    .description('upload files for analysis and print each verdict')
    .argument('<path...>', 'files to scan')
    .action(async (paths: string[], _options: unknown, command: Command) => {
      done(await scanFiles(paths, commandFlags<ScanFileFlags>(command), io));
    });
}

export function registerScanFile(program: Command): void {
  registerClientCommand(program, PARENTS, buildCommand);
}

/** Runs `assay scan file` with `args` (what follows `scan file`) in-process; resolves to the exit code. */
export function runScanFile(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildCommand, args, io);
}

async function scanFiles(paths: string[], flags: ScanFileFlags, io: CliIo): Promise<number> {
  let server: string | undefined;
  return runAction(
    io,
    async () => {
      const config = loadClientConfig(flags, io.env);
      server = config.server;
      const client = new VtClient({ server: config.server, apiKey: requireApiKey(config), agent: 'assay-cli' });
      const progress = io.stderr.isTTY ? barProgress(io.stderr, paths.length) : lineProgress(io.stderr, paths.length);
      const outcomes: Outcome[] = new Array(paths.length);

      await eachConcurrently(paths, flags.concurrency, async (filePath, index) => {
        progress.started(index, filePath);
        try {
          const upload = await client.uploadFile(filePath, { onProgress: (sent, total) => progress.bytes(index, sent, total) });
          progress.uploaded(index, upload.analysis.id);
          const analysis = flags.wait
            ? await client.waitForAnalysis(upload.analysis.id, { pollMs: flags.pollInterval, timeoutMs: flags.timeout * 1000 })
            : upload.analysis;
          outcomes[index] = { path: filePath, sha256: upload.sha256, analysis };
          progress.finished(index, true);
        } catch (error) {
          outcomes[index] = { path: filePath, error };
          progress.finished(index, false);
        }
      });
      progress.stop();

      // Results go out after the bars are gone, in argument order, so output is stable and greppable.
      for (const o of outcomes) if (o.error !== undefined) writeLine(io.stderr, `assay: ${o.path}: ${describeError(o.error, server)}`);
      if (flags.json) {
        writeJson(
          io.stdout,
          outcomes.map((o) =>
            o.error !== undefined ? { path: o.path, error: errorJson(o.error, server) } : { path: o.path, sha256: o.sha256, analysis: o.analysis },
          ),
        );
      } else {
        for (const o of outcomes) {
          if (!o.analysis) continue;
          if (!flags.wait) {
            writeLine(io.stdout, o.analysis.id);
            continue;
          }
          const { malicious, total, detections } = summarizeVerdicts(o.analysis.attributes.stats, o.analysis.attributes.results);
          writeLine(io.stdout, `${o.sha256}  ${o.path}  ${malicious}/${total}  ${detections.length ? detections.join(', ') : '-'}`);
        }
      }
      return outcomes.some((o) => o.error !== undefined) ? EXIT_FAILURE : EXIT_OK;
    },
    () => server,
  );
}

function errorJson(error: unknown, server: string | undefined): { code: string; message: string } {
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ClientError';
  return { code, message: describeError(error, server) };
}


interface ScanProgress {
  started(index: number, path: string): void;
  bytes(index: number, sent: number, total: number): void;
  uploaded(index: number, analysisId: string): void;
  finished(index: number, ok: boolean): void;
  stop(): void;
}

/** Plain lines for logs and pipes, where redrawn bars would be noise. */
function lineProgress(stderr: OutputStream, count: number): ScanProgress {
  const names: string[] = [];
  let finished = 0;
  return {
    started(index, path) {
      names[index] = path;
    },
    bytes() {},
    uploaded(index, analysisId) {
      writeLine(stderr, `uploaded ${names[index]} (analysis ${analysisId})`);
    },
    finished(index, ok) {
      finished += 1;
      writeLine(stderr, `[${finished}/${count}] ${ok ? 'done' : 'failed'}: ${names[index]}`);
    },
    stop() {},
  };
}

/** On a terminal: one bar counting finished files, plus a byte bar while each large file uploads. */
function barProgress(stderr: OutputStream, count: number): ScanProgress {
  const multibar = new cliProgress.MultiBar(
    {
      stream: stderr,
      // Hiding the cursor or line wrapping would leave the terminal broken after Ctrl-C (cli-progress
      // restores them only in stop()); lines are kept short instead.
      hideCursor: false,
      linewrap: true,
      clearOnComplete: false,
      barsize: 30,
      format: '{label} [{bar}] {value}/{total} {detail}',
    },
    cliProgress.Presets.shades_classic,
  );
  const overall = multibar.create(count, 0, { label: 'files'.padEnd(24), detail: '' });
  const byteBars = new Map<number, cliProgress.SingleBar>();
  const names: string[] = [];
  const label = (p: string) => (p.length > 24 ? `...${p.slice(-21)}` : p.padEnd(24));
  const dropByteBar = (index: number) => {
    const bar = byteBars.get(index);
    if (bar) {
      multibar.remove(bar);
      byteBars.delete(index);
    }
  };
  return {
    started(index, path) {
      names[index] = path;
    },
    bytes(index, sent, total) {
      if (total < BYTE_BAR_MIN_BYTES) return;
      let bar = byteBars.get(index);
      if (!bar) {
        bar = multibar.create(total, 0, { label: label(names[index] ?? ''), detail: '' }, { format: '{label} [{bar}] {percentage}% {detail}' });
        byteBars.set(index, bar);
      }
      bar.update(sent, { detail: `${formatBytes(sent)}/${formatBytes(total)}` });
    },
    uploaded(index) {
      dropByteBar(index);
    },
    finished(index) {
      dropByteBar(index);
      overall.increment(1, { detail: label(names[index] ?? '').trimEnd() });
    },
    stop() {
      overall.update({ detail: '' });
      multibar.stop();
    },
  };
}
