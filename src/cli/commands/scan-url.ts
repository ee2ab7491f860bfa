/** `assay scan url URL...`: submits URLs as vt-py's scan_url does, waits for their analyses, prints each engine's verdict. */
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
  type OutputStream,
  registerClientCommand,
  runAction,
  runClientCommand,
  summarizeVerdicts,
  UsageError,
  withClientOptions,
  writeJson,
  writeLine,
} from '../output.js';
import { withScanOptions, type ScanFlags } from './scan-options.js';
import { engineTable, recordOf, statsText } from '../report-format.js';

const PARENTS = ['scan'] as const;
const SPINNER_FRAMES = ['|', '/', '-', '\\'];
const SPINNER_MS = 120;

type ScanUrlFlags = ScanFlags;

interface Outcome {
  url: string;
  analysis?: VtObject;
  /** The URL's id (sha256 of its canonical form) from the analysis's meta.url_info, once known. */
  urlId?: string;
  error?: unknown;
}


function buildCommand(io: CliIo, done: (code: number) => void): Command {
  return withScanOptions(withClientOptions(new Command('url')), 'URLs submitted')
    .description('submit URLs for analysis and print each engine verdict')
    .argument('<url...>', 'URLs to scan')
    .action(async (urls: string[], _options: unknown, command: Command) => {
      done(await scanUrls(urls, commandFlags<ScanUrlFlags>(command), io));
    });
}

export function registerScanUrl(program: Command): void {
  registerClientCommand(program, PARENTS, buildCommand);
}

/** Runs `assay scan url` with `args` (what follows `scan url`) in-process; resolves to the exit code. */
export function runScanUrl(args: readonly string[], io: CliIo): Promise<number> {
  return runClientCommand(PARENTS, buildCommand, args, io);
}

async function scanUrls(urls: string[], flags: ScanUrlFlags, io: CliIo): Promise<number> {
  let server: string | undefined;
  return runAction(
    io,
    async () => {
      const empty = urls.find((u) => u.trim() === '');
      if (empty !== undefined) throw new UsageError('a URL argument is empty');
      const config = loadClientConfig(flags, io.env);
      server = config.server;
      const client = new VtClient({ server: config.server, apiKey: requireApiKey(config), agent: 'assay-cli' });
      const progress = !io.stderr.isTTY ? lineProgress(io.stderr, urls) : urls.length === 1 ? spinner(io.stderr, urls[0]!) : bars(io.stderr, urls);
      const outcomes: Outcome[] = new Array(urls.length);

      await eachConcurrently(urls, flags.concurrency, async (url, index) => {
        try {
          const submitted = await client.scanUrl(url);
          progress.submitted(index, submitted.id);
          if (!flags.wait) {
            outcomes[index] = { url, analysis: submitted };
          } else {
            const { analysis, meta } = await client.waitForAnalysisReport(submitted.id, {
              pollMs: flags.pollInterval,
              timeoutMs: flags.timeout * 1000,
              onStatus: (status) => progress.status(index, status),
            });
            const id = recordOf(meta.url_info).id;
            outcomes[index] = { url, analysis, ...(typeof id === 'string' ? { urlId: id } : {}) };
          }
          progress.finished(index, true);
        } catch (error) {
          outcomes[index] = { url, error };
          progress.finished(index, false);
        }
      });
      progress.stop();

      // Results go out after the progress display is gone, in argument order, so output is stable.
      for (const o of outcomes) if (o.error !== undefined) writeLine(io.stderr, `assay: ${o.url}: ${describeError(o.error, server)}`);
      if (flags.json) {
        writeJson(
          io.stdout,
          outcomes.map((o) => (o.error !== undefined ? { url: o.url, error: errorJson(o.error, server) } : { url: o.url, id: o.urlId, analysis: o.analysis })),
        );
      } else {
        let first = true;
        for (const o of outcomes) {
          if (!o.analysis) continue;
          if (!flags.wait) {
            writeLine(io.stdout, o.analysis.id);
            continue;
          }
          if (!first) writeLine(io.stdout);
          first = false;
          for (const line of verdictBlock(o)) writeLine(io.stdout, line);
        }
      }
      return outcomes.some((o) => o.error !== undefined) ? EXIT_FAILURE : EXIT_OK;
    },
    () => server,
  );
}

/** The URL with its detection count and id, the engine table, then the stats. */
function verdictBlock(o: Outcome): string[] {
  const { stats, results } = o.analysis!.attributes;
  const { malicious, total } = summarizeVerdicts(stats, results);
  return [`${o.url}  ${malicious}/${total}${o.urlId ? `  id ${o.urlId}` : ''}`, ...engineTable(results), `stats  ${statsText(stats)}`];
}

function errorJson(error: unknown, server: string | undefined): { code: string; message: string } {
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ClientError';
  return { code, message: describeError(error, server) };
}


interface UrlScanProgress {
  submitted(index: number, analysisId: string): void;
  status(index: number, status: string): void;
  finished(index: number, ok: boolean): void;
  stop(): void;
}

const label = (url: string, width: number) => (url.length > width ? `${url.slice(0, width - 3)}...` : url);

/** Plain lines for logs and pipes, where a redrawn display would be noise. */
function lineProgress(stderr: OutputStream, urls: readonly string[]): UrlScanProgress {
  let finished = 0;
  return {
    submitted(index, analysisId) {
      writeLine(stderr, `submitted ${urls[index]} (analysis ${analysisId})`);
    },
    status() {},
    finished(index, ok) {
      finished += 1;
      writeLine(stderr, `[${finished}/${urls.length}] ${ok ? 'done' : 'failed'}: ${urls[index]}`);
    },
    stop() {},
  };
}

/**
 * One URL on a terminal: a single redrawn line with the analysis status. Written by hand because
 * cli-progress draws bars only, and a bar of one item says less than the status word.
 */
function spinner(stderr: OutputStream, url: string): UrlScanProgress {
  let frame = 0;
  let status = 'submitting';
  const draw = () => {
    frame = (frame + 1) % SPINNER_FRAMES.length;
    stderr.write(`\r\x1b[2K${SPINNER_FRAMES[frame]} ${label(url, 60)}  ${status}`);
  };
  const timer = setInterval(draw, SPINNER_MS);
  timer.unref();
  draw();
  return {
    submitted() {
      status = 'submitted';
      draw();
    },
    status(_index, next) {
      status = next;
      draw();
    },
    finished(_index, ok) {
      status = ok ? 'done' : 'failed';
      draw();
    },
    stop() {
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    },
  };
}

/** Several URLs on a terminal: one bar counting finished analyses. */
function bars(stderr: OutputStream, urls: readonly string[]): UrlScanProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      // As in `scan file`: hiding the cursor would leave the terminal broken after Ctrl-C.
      hideCursor: false,
      linewrap: true,
      clearOnComplete: false,
      barsize: 30,
      format: 'urls [{bar}] {value}/{total} {detail}',
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(urls.length, 0, { detail: '' });
  return {
    submitted() {},
    status() {},
    finished(index) {
      bar.increment(1, { detail: label(urls[index] ?? '', 40) });
    },
    stop() {
      bar.update({ detail: '' });
      bar.stop();
    },
  };
}
