/** The ClamAV engine: an external clamd, or one we supervise, turned into VT verdicts. */
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { PluginError, type Engine, type EngineVerdict, type FileInput, type Readiness } from '../../core/plugin.js';
import { bundledClamavSignaturesDir } from '../package-root.js';
import { ClamdClient, describeClamdAddress, parseClamdAddress, type ClamdVersion } from './clamd-client.js';
import { CLAMD_MAX_FILE_LIMIT_BYTES, findClamdBinary, superviseClamd, type ClamdSupervisionTimings, type ClamdSupervisor, type ClamdSupervisorOptions } from './clamd-supervisor.js';
import { clamavManifest } from './manifest.js';

export interface ClamavEngineOptions {
  /** An external clamd: socket path or host:port. Absent: start and supervise our own. */
  clamd?: string;
  /** For the supervised clamd: config, socket, temporary files. */
  workDir: string;
  logger: Logger;
  /** Overrides clamd discovery (tests, unusual installs). */
  clamdBinary?: string;
  /** Passed to the supervisor; see ClamdSupervisorOptions. */
  signatureDirs?: string[];
  preferSystemSignatures?: boolean;
  systemDatabaseDir?: string;
  /**
   * Largest file scanned (the upload limit): our clamd is configured for it; a larger StreamMaxLength
   * of an external clamd is its operator's business (a refusal is reported in the result).
   */
  maxBytes?: number;
  /** Restart delays and liveness probing of the supervised clamd (see ClamdSupervisorOptions). */
  supervision?: ClamdSupervisionTimings;
}

export const INSTALL_HINT =
  'install it with `apt-get install clamav-daemon clamav-freshclam` (Debian/Ubuntu), or set ASSAY_CLAMD to a running clamd (socket path or host:port)';

const MiB = 1024 * 1024;
const BUNDLED_DETAIL = 'bundled Assay test signatures: install clamav-freshclam for real coverage';
/** VERSION is one round trip; asking once a minute notices freshclam updates without a call per scan. */
const VERSION_TTL_MS = 60_000;

interface BundledManifest {
  version: string;
  date: string;
}

/** ClamAV's readiness changes while it runs (a supervised clamd can die and restart), so it keeps a live status(). */
export function createClamavEngine(options: ClamavEngineOptions): Engine & { status(): Readiness } {
  const manifest = clamavManifest(options.maxBytes);
  const { logger } = options;
  let readiness: Readiness = { ready: false, detail: 'not started' };
  let client: ClamdClient | undefined;
  let supervisor: ClamdSupervisor | undefined;
  let version: ClamdVersion | undefined;
  let versionAt = 0;
  let versionPending = false;
  let closed = false;

  const bundled = readBundledManifest();

  const describeSignatures = (v: ClamdVersion | undefined, source: 'external' | 'system' | 'bundled'): string => {
    if (v?.databaseVersion !== undefined) {
      const which = `daily ${v.databaseVersion}${v.databaseDate ? `, ${v.databaseDate}` : ''}`;
      return `${source === 'external' ? 'official' : 'system'} signature databases (${which})`;
    }
    if (source === 'external') return 'custom signatures only (clamd reports no official database version)';
    return source === 'system' ? 'system signature databases' : BUNDLED_DETAIL;
  };

  const engineUpdate = (v: ClamdVersion | undefined): string => v?.databaseDate ?? bundled?.date ?? '';
  /** ClamAV's signature version is its database date, which is also VT's engine_update. */
  const versionFields = (v: ClamdVersion | undefined) => {
    const update = engineUpdate(v) || undefined;
    return { engineVersion: v?.engine, signatureVersion: update, engineUpdate: update };
  };

  const refreshVersion = async (signal?: AbortSignal): Promise<ClamdVersion | undefined> => {
    if (!client) return version;
    if (version && Date.now() - versionAt < VERSION_TTL_MS) return version;
    try {
      version = await client.version(signal);
      versionAt = Date.now();
      // freshclam plus clamd's SelfCheck swap databases under us; keep readiness in step.
      if (readiness.ready) readiness = { ...readiness, ...versionFields(version) };
    } catch (err) {
      // The verdict itself came through; an older version string is good enough for it.
      logger.debug({ err }, 'clamd VERSION failed');
    }
    return version;
  };

  const externalReadiness = (v: ClamdVersion): Readiness => ({
    ready: true,
    detail: `external clamd at ${describeClamdAddress(client!.address)}; ${describeSignatures(v, 'external')}`,
    ...versionFields(v),
  });

  let probeTimer: NodeJS.Timeout | undefined;
  let probeDelayMs = 2_000;
  const probeLater = () => {
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      client?.version().then(
        (v) => {
          if (closed) return;
          version = v;
          versionAt = Date.now();
          readiness = externalReadiness(v);
          logger.info({ detail: readiness.detail }, 'clamd is reachable now');
        },
        () => {
          if (closed) return;
          probeDelayMs = Math.min(probeDelayMs * 2, 60_000);
          probeLater();
        },
      );
    }, probeDelayMs);
    probeTimer.unref();
  };

  /** A supervised clamd's readiness is whatever its supervisor says now, not what it was at start. */
  const supervisedReadiness = (sup: ClamdSupervisor): Readiness => {
    const down = sup.downReason();
    if (down !== undefined) return { ready: false, down: true, detail: down, ...versionFields(version) };
    // Back after a failed start: fetch the version in the background, once at a time.
    if (!version && !versionPending) {
      versionPending = true;
      void refreshVersion().finally(() => (versionPending = false));
    }
    return {
      ready: true,
      detail: `supervised clamd (${sup.databaseDir}); ${describeSignatures(version, sup.usingSystemSignatures ? 'system' : 'bundled')}`,
      ...versionFields(version),
    };
  };

  const connect = async (): Promise<Readiness> => {
    if (options.clamd) {
      const address = parseClamdAddress(options.clamd);
      client = new ClamdClient(address);
      try {
        version = await client.version();
        versionAt = Date.now();
        return externalReadiness(version);
      } catch (err) {
        // clamd loading official databases takes a minute; keep probing so it joins when ready.
        probeLater();
        // Configured explicitly, so "down" (a failure in results), not "unavailable".
        return { ready: false, down: true, detail: `clamd at ${describeClamdAddress(address)} is unreachable (retrying): ${message(err)}` };
      }
    }
    const binary = options.clamdBinary === undefined ? findClamdBinary() : isExecutable(options.clamdBinary) ? options.clamdBinary : undefined;
    if (!binary) return { ready: false, detail: `clamd not found${options.clamdBinary ? ` at ${options.clamdBinary}` : ''}; ${INSTALL_HINT}` };
    try {
      const supervisorOptions: ClamdSupervisorOptions = {
        workDir: options.workDir,
        clamdBinary: binary,
        logger,
        signatureDirs: options.signatureDirs,
        preferSystemSignatures: options.preferSystemSignatures,
        systemDatabaseDir: options.systemDatabaseDir,
        maxFileBytes: manifest.accepts.maxBytes,
        // A temporary file older than a scan deadline belongs to no scan still running.
        tempMaxAgeMs: manifest.timeoutMs,
        ...options.supervision,
      };
      const supervision = superviseClamd(supervisorOptions);
      supervisor = supervision.supervisor;
      client = new ClamdClient({ path: supervisor.socketPath });
      try {
        await supervision.firstStart;
      } catch {
        // The supervisor keeps trying; status() follows it, and says why it is down meanwhile.
      }
      if (closed) {
        await supervisor.stop();
        return { ready: false, detail: 'closed' };
      }
      if (supervisor.downReason() === undefined) await refreshVersion();
      return supervisedReadiness(supervisor);
    } catch (err) {
      return { ready: false, detail: `could not start clamd (${binary}): ${message(err)}` };
    }
  };

  return {
    manifest,

    async start() {
      if (closed) return readiness;
      try {
        readiness = await connect();
      } catch (err) {
        readiness = { ready: false, detail: message(err) };
      }
      logger.info({ ready: readiness.ready, detail: readiness.detail }, 'ClamAV engine started');
      return readiness;
    },

    status() {
      return supervisor && !closed ? supervisedReadiness(supervisor) : readiness;
    },

    async scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict> {
      signal.throwIfAborted();
      if (!client) throw new PluginError('daemon_unreachable', readiness.detail ?? 'ClamAV engine is not started', true);
      // A limit hit says which in `result`, so a large file is never a bare, unexplained type-unsupported.
      const tooLarge = async (limit: string): Promise<EngineVerdict> => {
        const v = await refreshVersion(signal);
        return { category: 'type-unsupported', result: `not scanned: size limit exceeded (${limit})`, method: 'blacklist', engineVersion: v?.engine ?? '', engineUpdate: engineUpdate(v) };
      };
      if (supervisor && input.size > CLAMD_MAX_FILE_LIMIT_BYTES) return tooLarge(`ClamAV scans files under ${CLAMD_MAX_FILE_LIMIT_BYTES / MiB} MiB`);
      let reply;
      try {
        // Our clamd reads the sample in place; an external one may be on another host, so it gets a stream.
        reply = supervisor ? await client.scanPath(input.path, signal) : await client.scanFile(input.path, signal);
      } catch (err) {
        // Past the deadline: a hung clamd would make every later scan wait as long; check it now.
        if (signal.aborted) supervisor?.checkLiveness();
        if (err instanceof PluginError && err.flag === 'size_limit_exceeded') return tooLarge("clamd's StreamMaxLength");
        throw err;
      }
      const v = await refreshVersion(signal);
      return {
        category: reply.infected ? 'malicious' : 'undetected',
        // clamd marks every third-party signature `.UNOFFICIAL`; VT shows the plain name.
        result: reply.infected ? reply.signature.replace(/\.UNOFFICIAL$/, '') : null,
        method: 'blacklist',
        engineVersion: v?.engine ?? readiness.engineVersion ?? '',
        engineUpdate: engineUpdate(v),
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(probeTimer);
      client = undefined;
      const running = supervisor;
      supervisor = undefined;
      await running?.stop();
      readiness = { ready: false, detail: 'closed' };
    },
  };
}

/** signatures/clamav/manifest.json: the date stands in for engine_update when clamd reports none. */
function readBundledManifest(): BundledManifest | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(bundledClamavSignaturesDir(), 'manifest.json'), 'utf8')) as Partial<BundledManifest>;
    if (typeof parsed.date === 'string' && /^\d{8}$/.test(parsed.date)) return { version: String(parsed.version ?? ''), date: parsed.date };
  } catch {
    // A missing manifest only costs the engine_update date.
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
