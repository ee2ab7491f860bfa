/**
 * A vendor's command-line scanner as an engine: the operator's argv with the sample's path, run in
 * bubblewrap (no network, read-only system), at most `maxConcurrent` at once; exit codes and
 * output become the verdict through the operator's rules.
 */
import type { Logger } from 'pino';
import { PluginError, type Engine, type EngineVerdict, type FileInput, type PluginManifest, type Readiness } from '../../core/plugin.js';
import { Seats } from '../../core/seats.js';
import { resolveCommand, runCommand, SANDBOX_SAMPLE_DIR, sandboxArgv, type Sandbox } from './run-sandboxed.js';
import type { VendorEngineSpec, VendorProbe } from './vendor-config.js';
import { probeValue, ruleVerdict, toYyyymmdd } from './vendor-verdict.js';

export interface VendorCliEngineOptions {
  spec: VendorEngineSpec;
  logger: Logger;
  /** Files larger than this are type-unsupported unless the spec says otherwise (the upload limit). */
  defaultMaxBytes?: number;
  /** How often the version and signature date are asked again (default 10 min). */
  refreshMs?: number;
  /** Deadline of a version or signature-date command (default 30 s). */
  probeTimeoutMs?: number;
}

export function vendorManifest(spec: VendorEngineSpec, defaultMaxBytes?: number): PluginManifest {
  return {
    name: spec.name,
    version: '0.1.0',
    description: `vendor command line: ${spec.command[0]} (${spec.sandbox === 'bwrap' ? `bubblewrap${spec.network ? ', network allowed' : ', no network'}` : 'no sandbox'})`,
    accepts: { kinds: ['file'], maxBytes: spec.maxBytes ?? defaultMaxBytes },
    timeoutMs: spec.timeoutMs,
    needsNetwork: spec.network,
  };
}

export function createVendorCliEngine(options: VendorCliEngineOptions): Engine {
  const { spec, logger } = options;
  const manifest = vendorManifest(spec, options.defaultMaxBytes);
  const sandbox: Sandbox = { kind: spec.sandbox, network: spec.network, binds: spec.binds };
  const seats = new Seats(spec.maxConcurrent);
  const probeTimeoutMs = options.probeTimeoutMs ?? 30_000;
  let readiness: Readiness = { ready: false, detail: 'not started' };
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const running = new Set<AbortController>();

  const runProbe = async (probe: VendorProbe): Promise<string | undefined> => {
    const run = await runCommand(sandboxArgv(sandbox, probe.command), spec.env, AbortSignal.timeout(probeTimeoutMs));
    return probeValue(probe.match, run);
  };

  /** Why the engine cannot run, or undefined: the scanner and the sandbox must exist. */
  const missing = (): string | undefined => {
    if (!resolveCommand(spec.command[0]!)) return `command not found: ${spec.command[0]} (install the scanner, or fix "command" in ASSAY_VENDOR_ENGINES)`;
    if (sandbox.kind === 'bwrap' && !resolveCommand('bwrap')) return 'bubblewrap is not installed (apt-get install bubblewrap), or set "sandbox": "none" (unsafe)';
    for (const probe of [spec.version, spec.signatureDate]) {
      if (probe && !resolveCommand(probe.command[0]!)) return `command not found: ${probe.command[0]} (the version or signatureDate command)`;
    }
    return undefined;
  };

  const refresh = async (): Promise<void> => {
    const problem = missing();
    if (problem) {
      readiness = { ready: false, detail: problem };
      return;
    }
    try {
      const engineVersion = spec.version ? await runProbe(spec.version) : undefined;
      if (spec.version && engineVersion === undefined) throw new Error(`the version command's output does not match ${spec.version.match}`);
      const dateText = spec.signatureDate ? await runProbe(spec.signatureDate) : undefined;
      const engineUpdate = dateText === undefined ? undefined : toYyyymmdd(dateText);
      if (spec.signatureDate && engineUpdate === undefined) throw new Error(`the signatureDate command gave no date (${dateText ?? 'no match'})`);
      readiness = {
        ready: true,
        detail: `${spec.command[0]} in ${sandbox.kind === 'bwrap' ? 'bubblewrap' : 'no sandbox (unsafe)'}; ${spec.maxConcurrent} at once`,
        engineVersion,
        signatureVersion: engineUpdate,
        engineUpdate,
      };
    } catch (error) {
      readiness = { ready: false, detail: `${spec.name}: ${error instanceof Error ? error.message : String(error)}` };
    }
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void refresh().finally(schedule), options.refreshMs ?? 10 * 60_000);
    timer.unref();
  };

  return {
    manifest,

    async start() {
      if (closed) return readiness;
      await refresh();
      logger.info({ ready: readiness.ready, detail: readiness.detail }, 'vendor engine started');
      clearTimeout(timer);
      schedule();
      return readiness;
    },

    status() {
      return readiness;
    },

    async scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict> {
      signal.throwIfAborted();
      if (closed) throw new PluginError('closed', `${spec.name} is closed`);
      const run = await seats.use(signal, async () => {
        const inside = `${SANDBOX_SAMPLE_DIR}/${input.sha256 || 'sample'}${extension(input.names[0])}`;
        const target = sandbox.kind === 'bwrap' ? inside : input.path;
        const argv = sandboxArgv(
          sandbox,
          spec.command.map((arg) => arg.replaceAll('{path}', target)),
          sandbox.kind === 'bwrap' ? { host: input.path, inside } : undefined,
        );
        // close() stops scans still running, so no scanner outlives the engine.
        const controller = new AbortController();
        const onAbort = () => controller.abort(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        running.add(controller);
        try {
          return await runCommand(argv, spec.env, controller.signal);
        } finally {
          running.delete(controller);
          signal.removeEventListener('abort', onAbort);
        }
      });
      const verdict = ruleVerdict(spec.verdicts, run);
      return { ...verdict, method: 'blacklist', engineVersion: readiness.engineVersion ?? '', engineUpdate: readiness.engineUpdate ?? '' };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      for (const controller of running) controller.abort(new Error(`${spec.name} is closed`));
      readiness = { ready: false, detail: 'closed' };
    },
  };
}

/** The first name's extension, when plain (scanners pick file handlers by it); anything else is dropped. */
function extension(name: string | undefined): string {
  return /(\.[A-Za-z0-9]{1,8})$/.exec(name ?? '')?.[1] ?? '';
}
