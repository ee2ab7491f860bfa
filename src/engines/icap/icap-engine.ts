/**
 * An ICAP antivirus server as an engine: OPTIONS for readiness and versions (refreshed per its
 * Options-TTL), RESPMOD for each file, at most `seats` at once over keep-alive connections.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { PluginError, type Engine, type EngineVerdict, type FileInput, type PluginManifest, type Readiness } from '../../core/plugin.js';
import { Seats } from '../../core/seats.js';
import { IcapClient, type IcapOptions } from './icap-client.js';
import type { IcapTarget } from './icap-target.js';
import { icapVerdict } from './icap-verdict.js';

export interface IcapEngineOptions {
  target: IcapTarget;
  logger: Logger;
  /** Connect and OPTIONS deadline (default 10 s). */
  connectTimeoutMs?: number;
  /** First delay before asking a silent server again (default 2 s, doubling to a minute). */
  retryMinMs?: number;
  /** OPTIONS are asked again after the server's Options-TTL, but at least this often (default 10 min). */
  refreshMaxMs?: number;
}

const RETRY_MAX_MS = 60_000;

export function icapManifest(target: IcapTarget): PluginManifest {
  return {
    name: target.name,
    version: '0.1.0',
    description: `ICAP antivirus server ${target.uri} (RESPMOD, ${target.seats} seat${target.seats === 1 ? '' : 's'})`,
    accepts: { kinds: ['file'], maxBytes: target.maxBytes },
    timeoutMs: target.timeoutMs,
    needsNetwork: false,
  };
}

export function createIcapEngine(options: IcapEngineOptions): Engine {
  const { target, logger } = options;
  const manifest = icapManifest(target);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const retryMinMs = options.retryMinMs ?? 2_000;
  const refreshMaxMs = options.refreshMaxMs ?? 10 * 60_000;
  const client = new IcapClient(target, { connectTimeoutMs, idleMs: 30_000, maxIdle: target.seats });
  let seats = new Seats(target.seats);
  let readiness: Readiness = { ready: false, detail: 'not started' };
  let serverOptions: IcapOptions | undefined;
  /** VT's engine_update for a server that gives no signature date: the day its ISTag was first seen. */
  let istagSeen: { istag: string; day: string } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let retryMs = retryMinMs;
  let probing: Promise<void> | undefined;
  let closed = false;

  const engineUpdate = () => istagSeen?.day ?? today();

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (closed) return;
    timer = setTimeout(() => void probe(), ms);
    timer.unref();
  };

  /** Asks OPTIONS; ready on an answer, down (a failure in results, degraded health) on none. */
  const probe = (): Promise<void> => {
    probing ??= (async () => {
      try {
        const answer = await client.options(AbortSignal.timeout(connectTimeoutMs));
        if (closed) return;
        const wasDown = !readiness.ready;
        serverOptions = answer;
        // The server's Max-Connections is a limit of its own; never use more seats than it allows.
        const size = Math.max(1, Math.min(target.seats, answer.maxConnections ?? target.seats));
        if (size !== seats.size && seats.busy === 0) seats = new Seats(size);
        const istag = answer.istag ?? '';
        if (istagSeen?.istag !== istag) istagSeen = { istag, day: today() };
        readiness = {
          ready: true,
          detail: `ICAP server ${target.uri}; preview ${answer.preview ?? 'none'}, 204 ${answer.allow204 ? 'allowed' : 'not offered'}, ${seats.size} seat${seats.size === 1 ? '' : 's'}`,
          engineVersion: answer.service,
          signatureVersion: answer.istag,
          engineUpdate: engineUpdate(),
        };
        if (wasDown) logger.info({ detail: readiness.detail }, 'ICAP server answers OPTIONS');
        retryMs = retryMinMs;
        schedule(Math.min(Math.max((answer.ttlSeconds ?? 300) * 1000, 10_000), refreshMaxMs));
      } catch (error) {
        if (closed) return;
        // Configured explicitly, so "down" (a failure in results), not "unavailable"; keep asking.
        readiness = { ready: false, down: true, detail: `ICAP server ${target.uri} does not answer OPTIONS (retrying): ${message(error)}`, engineUpdate: engineUpdate() };
        logger.warn({ detail: readiness.detail }, 'ICAP server is down');
        schedule(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      } finally {
        probing = undefined;
      }
    })();
    return probing;
  };

  return {
    manifest,

    async start() {
      if (closed) return readiness;
      await probe();
      logger.info({ ready: readiness.ready, detail: readiness.detail }, 'ICAP engine started');
      return readiness;
    },

    status() {
      return readiness;
    },

    async scan(input: FileInput, signal: AbortSignal): Promise<EngineVerdict> {
      signal.throwIfAborted();
      if (closed) throw new PluginError('closed', 'the ICAP engine is closed');
      const answer = await seats.use(signal, async () => {
        try {
          return await client.respmod({ path: input.path, size: input.size, name: input.names[0] ?? path.basename(input.path) }, { preview: serverOptions?.preview, allow204: serverOptions?.allow204 ?? true }, signal);
        } catch (error) {
          // A server that stopped answering is marked down at once rather than failing scan after scan.
          if (!signal.aborted && error instanceof PluginError && error.flag === 'icap_unreachable') void probe();
          throw error;
        }
      });
      const verdict = icapVerdict(answer);
      return { ...verdict, method: 'blacklist', engineVersion: readiness.engineVersion ?? serverOptions?.service ?? '', engineUpdate: engineUpdate() };
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      client.close();
      await probing;
      readiness = { ready: false, detail: 'closed' };
    },
  };
}

function today(): string {
  return new Date().toISOString().slice(0, 10).replaceAll('-', '');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
