/** clamd's wire protocol (zPING, zVERSION, zINSTREAM, zSCAN) over a unix socket or TCP. */
// Hand-written on purpose: the protocol is a NUL-terminated command plus length-prefixed chunks,
// about 40 lines, and needs no dependency. The npm wrappers (clamscan, clamdjs) are thin or
// unmaintained, buffer or hide the reply, and take no AbortSignal.
import { createReadStream } from 'node:fs';
import net from 'node:net';
import { PluginError } from '../../core/plugin.js';

export type ClamdAddress = { path: string } | { host: string; port: number };

export interface ClamdVersion {
  /** Engine version, e.g. `1.4.6`. */
  engine: string;
  /** Official database version (daily), absent when clamd runs on custom signatures only. */
  databaseVersion?: number;
  /** Database build date as YYYYMMDD, when clamd reports one. */
  databaseDate?: string;
  raw: string;
}

export type ScanReply = { infected: false } | { infected: true; signature: string };

export interface ClamdClientOptions {
  /** Deadline for connecting, and for a whole PING or VERSION exchange. */
  commandTimeoutMs?: number;
}

/** Accepts `/path/to.sock`, `unix:/path`, `host:port`, `tcp://host:port` and `[::1]:3310`. */
export function parseClamdAddress(spec: string): ClamdAddress {
  const text = spec.trim();
  if (text.startsWith('unix:')) return { path: text.slice('unix:'.length).replace(/^\/\/(?=\/)/, '') };
  const tcp = /^(?:tcp:\/\/)?\[?([^\]/]+?)\]?:(\d{1,5})$/.exec(text);
  if (tcp && !text.startsWith('/')) return { host: tcp[1]!, port: Number(tcp[2]) };
  return { path: text };
}

export const describeClamdAddress = (a: ClamdAddress): string => ('path' in a ? a.path : `${a.host}:${a.port}`);

const CHUNK_BYTES = 64 * 1024;

export class ClamdClient {
  private readonly timeoutMs: number;

  constructor(
    readonly address: ClamdAddress,
    options: ClamdClientOptions = {},
  ) {
    this.timeoutMs = options.commandTimeoutMs ?? 5_000;
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const reply = await this.exchange('zPING\0', signal, true);
    if (reply !== 'PONG') throw new PluginError('daemon_error', `clamd answered PING with ${JSON.stringify(reply)}`, true);
  }

  /** Asks clamd to exit; it closes the connection without an answer. */
  async shutdown(signal?: AbortSignal): Promise<void> {
    await this.exchange('zSHUTDOWN\0', signal, true);
  }

  /** `ClamAV 1.4.6` on custom signatures; `ClamAV 1.4.6/27850/Fri Nov 27 09:32:48 2026` with official ones. */
  async version(signal?: AbortSignal): Promise<ClamdVersion> {
    const raw = await this.exchange('zVERSION\0', signal, true);
    const [head = '', db, date] = raw.split('/');
    const engine = /^ClamAV\s+(\S+)/.exec(head)?.[1];
    if (!engine) throw new PluginError('daemon_error', `unexpected VERSION reply ${JSON.stringify(raw)}`, true);
    const version: ClamdVersion = { engine, raw };
    if (db && /^\d+$/.test(db)) version.databaseVersion = Number(db);
    const parsed = date ? new Date(date) : undefined;
    // clamd prints the build date in its own local time; read it back with local getters.
    if (parsed && !Number.isNaN(parsed.getTime())) {
      const pad = (n: number) => String(n).padStart(2, '0');
      version.databaseDate = `${parsed.getFullYear()}${pad(parsed.getMonth() + 1)}${pad(parsed.getDate())}`;
    }
    return version;
  }

  /** Streams the file from disk with INSTREAM; never holds more than one chunk in memory. */
  async scanFile(path: string, signal: AbortSignal): Promise<ScanReply> {
    let sentBytes = 0;
    const reply = await this.exchange(
      async (socket) => {
        socket.write('zINSTREAM\0');
        const file = createReadStream(path, { highWaterMark: CHUNK_BYTES });
        try {
          for await (const chunk of file as AsyncIterable<Buffer>) {
            if (socket.destroyed) return;
            const header = Buffer.allocUnsafe(4);
            header.writeUInt32BE(chunk.length);
            socket.write(header);
            sentBytes += chunk.length;
            if (!socket.write(chunk)) await drainedOrClosed(socket);
          }
        } finally {
          file.destroy();
        }
        if (!socket.destroyed) socket.write(Buffer.alloc(4));
      },
      signal,
      false,
    ).catch(async (error: unknown) => {
      // clamd closes a stream past its StreamMaxLength; its "size limit exceeded" reply is lost when our
      // write fails (EPIPE) before we read it. A clamd that still answers PING closed it on purpose.
      if (!(error instanceof PluginError) || error.flag !== 'daemon_unreachable' || sentBytes === 0 || !/connection lost/.test(error.message)) throw error;
      const alive = await this.ping(signal).then(() => true, () => false);
      if (!alive) throw error;
      throw new PluginError('size_limit_exceeded', `clamd: closed the stream after ${sentBytes} bytes (INSTREAM size limit exceeded)`);
    });
    if (reply === 'stream: OK') return { infected: false };
    const found = /^stream: (.+) FOUND$/.exec(reply);
    // ExtendedDetectionInfo appends `(md5:size)` to the name; the name alone is the verdict.
    if (found) return { infected: true, signature: found[1]!.replace(/\([0-9a-f]{32}:\d+\)$/, '') };
    if (/size limit exceeded/i.test(reply)) throw new PluginError('size_limit_exceeded', `clamd: ${reply}`);
    throw new PluginError('daemon_error', `clamd: ${reply || 'closed the connection without a reply'}`, true);
  }

  /**
   * Asks clamd to read and scan the file itself: for a clamd on this host running as us, which then
   * scans the file in place instead of copying a stream of it (up to the upload limit) to its disk.
   */
  async scanPath(file: string, signal: AbortSignal): Promise<ScanReply> {
    if (file.includes('\0')) throw new PluginError('daemon_error', 'a path with a NUL byte cannot be sent to clamd');
    const reply = await this.exchange(`zSCAN ${file}\0`, signal, false);
    const prefix = `${file}: `;
    const text = reply.startsWith(prefix) ? reply.slice(prefix.length) : reply;
    if (text === 'OK') return { infected: false };
    const found = /^(.+) FOUND$/.exec(text);
    if (found) return { infected: true, signature: found[1]!.replace(/\([0-9a-f]{32}:\d+\)$/, '') };
    throw new PluginError('daemon_error', `clamd: ${reply || 'closed the connection without a reply'}`, true);
  }

  /**
   * One connection, one command: clamd answers z-commands with a NUL-terminated line and closes.
   * `bounded` applies the command deadline to the whole exchange; otherwise only to connecting,
   * since a scan's duration is the pipeline's business (it aborts `signal`).
   */
  private exchange(send: string | ((socket: net.Socket) => Promise<void>), signal: AbortSignal | undefined, bounded: boolean): Promise<string> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const where = describeClamdAddress(this.address);
    return new Promise<string>((resolve, reject) => {
      const socket = net.connect(this.address as net.NetConnectOpts);
      const chunks: Buffer[] = [];
      let connected = false;
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (error !== undefined) reject(error);
        else resolve(Buffer.concat(chunks).toString('utf8').replace(/\0/g, '').trim());
      };
      const onAbort = () => finish(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () => finish(new PluginError('daemon_unreachable', `clamd at ${where} did not answer within ${this.timeoutMs} ms`, true)),
        this.timeoutMs,
      );
      socket.on('connect', () => {
        connected = true;
        if (!bounded) clearTimeout(timer);
        if (typeof send === 'string') socket.write(send);
        else send(socket).catch((err: unknown) => finish(socket.destroyed && chunks.length > 0 ? undefined : err));
      });
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => finish());
      socket.on('error', (err: NodeJS.ErrnoException) => {
        // clamd replies and then closes mid-stream (e.g. size limit): the reply wins over EPIPE.
        if (chunks.length > 0) return finish();
        const why = connected ? `connection lost (${err.code ?? err.message})` : `unreachable (${err.code ?? err.message})`;
        finish(new PluginError('daemon_unreachable', `clamd at ${where} ${why}`, true));
      });
    });
  }
}

function drainedOrClosed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
