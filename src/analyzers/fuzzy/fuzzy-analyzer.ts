/**
 * The `fuzzy` analyzer: VirusTotal's `ssdeep` and `tlsh` attributes from Debian's reference tools,
 * `ssdeep -s -b FILE` (package ssdeep) and `tlsh -f FILE` (package tlsh-tools), one child process
 * each, run side by side. Either tool may be missing; its attribute is then left out.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Analyzer, AnalyzerOutput, FileInput, PluginManifest, Readiness } from '../../core/plugin.js';
import { PluginError } from '../../core/plugin.js';
import { runTool, ToolError } from './run-tool.js';

export interface FuzzyAnalyzerOptions {
  logger: Logger;
  /**
   * Largest file given a TLSH. The `tlsh` CLI reads the whole file into memory (RSS ≈ file size)
   * at about 25–50 MB/s; ssdeep streams and has no limit.
   */
  tlshMaxBytes?: number;
  /** The ssdeep executable, looked up on PATH unless it contains a slash. */
  ssdeepCommand?: string;
  /** The tlsh executable (Debian tlsh-tools installs /usr/bin/tlsh). */
  tlshCommand?: string;
  /** Deadline for one tool on one file; the child is killed past it. */
  commandTimeoutMs?: number;
}

export const DEFAULT_TLSH_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
/** Both tools print one line per file: the digest and the path we gave, so a few KiB is plenty. */
const MAX_STDOUT_BYTES = 64 * 1024;

const SSDEEP_HEADER = 'ssdeep,1.1--blocksize:hash:hash,filename\n';
const SSDEEP_DIGEST = /^(\d+:[0-9A-Za-z+/]*:[0-9A-Za-z+/]*),"/;
/** Debian's tlsh 3.4.4 prints the 70 hex digits bare; TLSH 4.x prefixes `T1`. */
const TLSH_DIGEST = /^(?:T1)?([0-9A-Fa-f]{70})\t/;
/** What `tlsh -f` prints (exit status 0) instead of a digest: under 256 bytes, or too uniform. */
const TLSH_NO_DIGEST = new Set(['file too small', 'cannot hash']);

/** Start-up self-test: the tools must print these (same digests VT shows) for SELF_TEST_TEXT. */
const SELF_TEST_TEXT = 'The quick brown fox jumps over the lazy dog.\n'.repeat(40);
const SELF_TEST = {
  ssdeep: '6:FHIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDIGiDId:F1',
  tlsh: 'T1EB31024A21181794658A18C8438D94B2D2C8C510612114116530614219082259CD8551',
};

type ToolName = 'ssdeep' | 'tlsh';
const PACKAGE: Record<ToolName, string> = { ssdeep: 'ssdeep', tlsh: 'tlsh-tools' };

/** The digest text of `ssdeep -s -b` output: the line after the header, up to `,"filename"`. */
export function parseSsdeepOutput(stdout: string): string | undefined {
  if (!stdout.startsWith(SSDEEP_HEADER)) return undefined;
  return SSDEEP_DIGEST.exec(stdout.slice(SSDEEP_HEADER.length))?.[1];
}

/**
 * `tlsh -f PATH` output as `T1` + the digest (case kept as printed), `null` when tlsh declines
 * the file (too small, not complex enough), or undefined when the output is not understood.
 */
export function parseTlshOutput(stdout: string, filePath: string): string | null | undefined {
  const digest = TLSH_DIGEST.exec(stdout)?.[1];
  if (digest) return `T1${digest}`;
  const prefix = `file ${filePath}: `;
  if (stdout.startsWith(prefix) && TLSH_NO_DIGEST.has(stdout.slice(prefix.length).trimEnd())) return null;
  return undefined;
}

export function createFuzzyAnalyzer(options: FuzzyAnalyzerOptions): Analyzer {
  const { logger } = options;
  const tlshMaxBytes = options.tlshMaxBytes ?? DEFAULT_TLSH_MAX_BYTES;
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const commands: Record<ToolName, string> = { ssdeep: options.ssdeepCommand ?? 'ssdeep', tlsh: options.tlshCommand ?? 'tlsh' };
  let available: Record<ToolName, boolean> = { ssdeep: false, tlsh: false };
  let readiness: Readiness = { ready: false, detail: 'not started' };
  let closed = false;
  /** Running analyses, aborted by close(). */
  const inflight = new Map<AbortController, Promise<unknown>>();

  const manifest: PluginManifest = {
    name: 'fuzzy',
    version: '2.0.0',
    description: 'ssdeep and TLSH similarity digests (Debian ssdeep and tlsh-tools)',
    accepts: { kinds: ['file'] },
    // ssdeep runs at ~100 MB/s and tlsh at ~25–50 MB/s, side by side.
    timeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
    needsNetwork: false,
  };

  const run = (tool: ToolName, args: string[], signal: AbortSignal) =>
    runTool(commands[tool], args, { signal, timeoutMs, maxStdoutBytes: MAX_STDOUT_BYTES });

  async function ssdeepOf(file: string, signal: AbortSignal): Promise<string> {
    const out = await run('ssdeep', ['-s', '-b', file], signal);
    const digest = parseSsdeepOutput(out.stdout);
    if (digest === undefined) throw toolFailed('ssdeep', out);
    return digest;
  }

  async function tlshOf(file: string, signal: AbortSignal): Promise<string | null> {
    const out = await run('tlsh', ['-f', file], signal);
    const digest = parseTlshOutput(out.stdout, file);
    if (digest === undefined) throw toolFailed('tlsh', out);
    return digest;
  }

  /** Version line and self-test of one tool; the reason it cannot be used, or its version. */
  async function probe(tool: ToolName, sample: string): Promise<{ version: string } | { problem: string }> {
    const signal = AbortSignal.timeout(30_000);
    try {
      const version = (await run(tool, [tool === 'ssdeep' ? '-V' : '-version'], signal)).stdout.trim().split('\n')[0] ?? '';
      const digest = tool === 'ssdeep' ? await ssdeepOf(sample, signal) : await tlshOf(sample, signal);
      if (digest !== SELF_TEST[tool]) return { problem: `${commands[tool]} printed ${digest} for the self-test, expected ${SELF_TEST[tool]}` };
      return { version };
    } catch (err) {
      if (err instanceof ToolError && err.code === 'not_found') return { problem: `${commands[tool]} not found` };
      return { problem: `${commands[tool]} failed its self-test: ${(err as Error).message}` };
    }
  }

  return {
    manifest,

    async start(): Promise<Readiness> {
      if (readiness.ready) return readiness;
      closed = false;
      const dir = await fs.mkdtemp(path.join(tmpdir(), 'assay-fuzzy-'));
      let probes: Record<ToolName, Awaited<ReturnType<typeof probe>>>;
      try {
        const sample = path.join(dir, 'self-test.txt');
        await fs.writeFile(sample, SELF_TEST_TEXT);
        const [ssdeep, tlsh] = await Promise.all([probe('ssdeep', sample), probe('tlsh', sample)]);
        probes = { ssdeep, tlsh };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
      const tools = ['ssdeep', 'tlsh'] as const;
      available = { ssdeep: 'version' in probes.ssdeep, tlsh: 'version' in probes.tlsh };
      const missing = tools.filter((t) => !available[t]);
      const problems = missing.map((t) => (probes[t] as { problem: string }).problem);
      const install = missing.length > 0 ? `; install with: apt-get install ${missing.map((t) => PACKAGE[t]).join(' ')}` : '';
      const versions = tools.filter((t) => available[t]).map((t) => `${t} ${(probes[t] as { version: string }).version}`);
      if (missing.length === tools.length) {
        readiness = { ready: false, detail: `${problems.join('; ')}${install}` };
        logger.error({ detail: readiness.detail }, 'fuzzy analyzer not ready');
      } else {
        const running = available.tlsh ? `; tlsh for files up to ${Math.round(tlshMaxBytes / 2 ** 20)} MiB` : '';
        const gaps = missing.length > 0 ? `; no ${missing.join(', ')} attribute: ${problems.join('; ')}${install}` : '';
        readiness = { ready: true, detail: `${versions.join(' and ')}${running}${gaps}`, engineVersion: versions.join('; ') };
        if (missing.length > 0) logger.warn({ detail: readiness.detail }, 'fuzzy analyzer runs without some tools');
      }
      return readiness;
    },

    status: () => readiness,

    async analyze(input: FileInput, signal: AbortSignal): Promise<AnalyzerOutput> {
      if (closed || !readiness.ready) throw new PluginError('not_ready', readiness.detail ?? 'fuzzy analyzer not started');
      if (signal.aborted) throw signal.reason;
      // Absolute, so a path can never be read as an option; it goes to the tools as one argv entry.
      const file = path.resolve(input.path);
      const size = await sizeOfRegularFile(file);
      if (signal.aborted) throw signal.reason;
      if (closed) throw new PluginError('closed', 'fuzzy analyzer closed');

      // One controller for both children, so an outside abort or close() kills both.
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const wantTlsh = available.tlsh && size <= tlshMaxBytes;
      const work = Promise.allSettled([
        available.ssdeep ? ssdeepOf(file, controller.signal) : Promise.resolve(undefined),
        wantTlsh ? tlshOf(file, controller.signal) : Promise.resolve(undefined),
      ]);
      inflight.set(controller, work);
      let ssdeep: PromiseSettledResult<string | undefined>;
      let tlsh: PromiseSettledResult<string | null | undefined>;
      try {
        [ssdeep, tlsh] = await work;
      } finally {
        inflight.delete(controller);
        signal.removeEventListener('abort', onAbort);
      }
      if (controller.signal.aborted) throw controller.signal.reason;

      const attributes: Record<string, unknown> = {};
      if (ssdeep.status === 'fulfilled' && ssdeep.value !== undefined) attributes.ssdeep = ssdeep.value;
      if (tlsh.status === 'fulfilled' && tlsh.value) attributes.tlsh = tlsh.value;
      if (wantTlsh && tlsh.status === 'fulfilled' && tlsh.value === null) {
        logger.debug({ sha256: input.sha256, bytes: size }, 'tlsh gives no digest for this file (too small or too uniform)');
      } else if (available.tlsh && !wantTlsh) {
        logger.debug({ sha256: input.sha256, bytes: size, tlshMaxBytes }, 'file too large for tlsh');
      }
      const failures = [ssdeep, tlsh].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
      if (failures.length > 0) {
        // One tool failing still leaves the other's digest; only when nothing came out is this a failure.
        if (Object.keys(attributes).length === 0) {
          const message = failures.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
          throw new PluginError('hash_failed', message, true);
        }
        logger.warn({ sha256: input.sha256, err: failures[0] }, 'one fuzzy hash tool failed; keeping the other digest');
      }
      return { attributes };
    },

    async close(): Promise<void> {
      closed = true;
      readiness = { ready: false, detail: 'closed' };
      const running = [...inflight.entries()];
      for (const [controller] of running) controller.abort(new PluginError('closed', 'fuzzy analyzer closed'));
      await Promise.allSettled(running.map(([, work]) => work));
    },
  };
}

/** The file's size; a missing, unreadable or non-regular file is a non-retryable `file_unreadable`. */
async function sizeOfRegularFile(file: string): Promise<number> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new PluginError('file_unreadable', `${file} is not a regular file`);
    await fs.access(file, fs.constants.R_OK);
    return st.size;
  } catch (err) {
    if (err instanceof PluginError) throw err;
    throw new PluginError('file_unreadable', (err as Error).message);
  }
}

function toolFailed(tool: ToolName, out: { stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }): Error {
  const said = (out.stderr || out.stdout).trim().slice(0, 300) || 'nothing';
  const how = out.signal ? `killed by ${out.signal}` : `exit code ${out.code}`;
  return new Error(`${tool} gave no digest (${how}); it printed: ${said}`);
}
