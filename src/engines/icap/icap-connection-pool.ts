/** Keep-alive connections to one ICAP server: idle ones are reused, closed after a while or when the server closes them. */
import net, { type Socket } from 'node:net';
import { PluginError } from '../../core/plugin.js';
import { IcapReader } from './icap-reader.js';

export interface IcapConnection {
  readonly socket: Socket;
  readonly reader: IcapReader;
  /** True when taken from the idle list: a server may have closed it just before we wrote. */
  readonly reused: boolean;
}

export interface IcapPoolOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  /** An idle connection older than this is closed (servers drop idle ones anyway; c-icap after KeepAliveTimeout). */
  idleMs: number;
  /** Idle connections kept at most (the seats: never more are in use at once). */
  maxIdle: number;
}

interface Idle {
  connection: IcapConnection;
  timer: NodeJS.Timeout;
}

export class IcapConnectionPool {
  private idle: Idle[] = [];
  private closed = false;

  constructor(private readonly options: IcapPoolOptions) {}

  async acquire(signal: AbortSignal): Promise<IcapConnection> {
    signal.throwIfAborted();
    if (this.closed) throw new PluginError('closed', 'the ICAP engine is closed');
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      clearTimeout(entry.timer);
      const { socket, reader } = entry.connection;
      // Bytes from an idle server, or a half-closed socket, make it useless.
      if (!socket.destroyed && socket.readyState === 'open' && reader.pending === 0) return { socket, reader, reused: true };
      socket.destroy();
    }
    return this.connect(signal);
  }

  /** Gives a connection back: kept for reuse when the exchange on it completed cleanly, else closed. */
  release(connection: IcapConnection, reusable: boolean): void {
    const { socket, reader } = connection;
    if (!reusable || this.closed || socket.destroyed || reader.pending > 0 || this.idle.length >= this.options.maxIdle) {
      socket.destroy();
      return;
    }
    const entry: Idle = {
      connection,
      timer: setTimeout(() => {
        this.idle = this.idle.filter((e) => e !== entry);
        socket.destroy();
      }, this.options.idleMs),
    };
    entry.timer.unref();
    this.idle.push(entry);
  }

  close(): void {
    this.closed = true;
    for (const entry of this.idle) {
      clearTimeout(entry.timer);
      entry.connection.socket.destroy();
    }
    this.idle = [];
  }

  private connect(signal: AbortSignal): Promise<IcapConnection> {
    const { host, port, connectTimeoutMs } = this.options;
    return new Promise<IcapConnection>((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const reader = new IcapReader(socket);
      const done = (error?: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        if (error === undefined) return resolve({ socket, reader, reused: false });
        socket.destroy();
        reject(error);
      };
      const onAbort = () => done(signal.reason);
      const onError = (error: Error) =>
        done(new PluginError('icap_unreachable', `cannot connect to the ICAP server at ${host}:${port}: ${error.message}`, true));
      const timer = setTimeout(
        () => done(new PluginError('icap_unreachable', `no connection to the ICAP server at ${host}:${port} within ${connectTimeoutMs} ms`, true)),
        connectTimeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => done());
    });
  }
}
