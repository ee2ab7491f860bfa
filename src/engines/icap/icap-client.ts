/**
 * An ICAP client (RFC 3507) for OPTIONS and RESPMOD with preview, streaming a file from disk in
 * chunked encoding. Written here because npm has no maintained ICAP client (the registry's only
 * `icap` package is Ethereum's IBAN encoding); every read from the server is bounded.
 */
import fs from 'node:fs/promises';
import type { Socket } from 'node:net';
import { PluginError } from '../../core/plugin.js';
import { IcapConnectionPool, type IcapConnection } from './icap-connection-pool.js';
import { header, parseEncapsulated, parseHttpStatus, parseIcapHead, type IcapHead } from './icap-message.js';
import { IcapProtocolError } from './icap-reader.js';
import type { IcapTarget } from './icap-target.js';

/** An ICAP head, or an encapsulated HTTP head, longer than this is refused. */
const MAX_HEAD_BYTES = 64 * 1024;
/** A modified response's body beyond the file's own size (a block page); more is refused. */
const MAX_EXTRA_BODY_BYTES = 1024 * 1024;
/** Bytes of the response body kept for the verdict (the start of a block page). */
const KEPT_BODY_BYTES = 4096;
/** Preview sizes above this are taken as this (a server asking for megabytes gains nothing). */
const MAX_PREVIEW_BYTES = 1024 * 1024;
const READ_BLOCK = 64 * 1024;

export interface IcapOptions {
  /** The service's state tag: changes when its signatures do. */
  istag: string | undefined;
  /** `Service` (or `Server`) header: the product and version. */
  service: string | undefined;
  /** Bytes the server wants as a preview; undefined when it takes none. */
  preview: number | undefined;
  /** The server answers 204 outside a preview (`Allow: 204`). */
  allow204: boolean;
  maxConnections: number | undefined;
  /** How long these options hold (`Options-TTL`, seconds). */
  ttlSeconds: number | undefined;
}

export interface RespmodResult {
  icap: IcapHead;
  /** Status of the encapsulated HTTP response, when the server returned one (200 with a modified response). */
  httpStatus: number | undefined;
  /** Start of the returned body (a block page names the threat in some products). */
  bodyStart: Buffer;
}

export interface RespmodInput {
  path: string;
  size: number;
  /** Shown to the server as the request path (some servers pick policies by extension). */
  name: string;
}

export class IcapClient {
  private readonly pool: IcapConnectionPool;

  constructor(
    private readonly target: IcapTarget,
    options: { connectTimeoutMs: number; idleMs: number; maxIdle: number },
  ) {
    this.pool = new IcapConnectionPool({ host: target.host, port: target.port, ...options });
  }

  async options(signal: AbortSignal): Promise<IcapOptions> {
    const head = await this.exchange(signal, async (connection) => {
      await write(connection.socket, this.requestHead('OPTIONS', ['Encapsulated: null-body=0']), signal);
      const response = await readResponse(connection, signal, 0, false);
      return { value: response.icap, reusable: !closes(response.icap) };
    });
    if (head.status !== 200) throw new PluginError('icap_error', `OPTIONS ${this.target.uri}: ICAP ${head.status} ${head.reason}`);
    const methods = header(head, 'methods') ?? '';
    if (!/\bRESPMOD\b/i.test(methods)) throw new PluginError('icap_error', `${this.target.uri} does not offer RESPMOD (Methods: ${methods || 'none'})`);
    const preview = intHeader(head, 'preview');
    return {
      istag: header(head, 'istag')?.replace(/^"(.*)"$/, '$1'),
      service: header(head, 'service') ?? header(head, 'server'),
      preview: preview === undefined ? undefined : Math.min(preview, MAX_PREVIEW_BYTES),
      allow204: (head.headers.get('allow') ?? []).some((v) => /\b204\b/.test(v)),
      maxConnections: intHeader(head, 'max-connections'),
      ttlSeconds: intHeader(head, 'options-ttl'),
    };
  }

  /** Sends the file as an HTTP response to modify, as the server's OPTIONS asked (preview size, 204 support). */
  async respmod(file: RespmodInput, server: Pick<IcapOptions, 'preview' | 'allow204'>, signal: AbortSignal): Promise<RespmodResult> {
    const handle = await fs.open(file.path, 'r');
    try {
      return await this.exchange(signal, (connection) => this.respmodOn(connection, handle, file, server, signal));
    } finally {
      await handle.close();
    }
  }

  close(): void {
    this.pool.close();
  }

  private async respmodOn(
    connection: IcapConnection,
    handle: fs.FileHandle,
    file: RespmodInput,
    server: Pick<IcapOptions, 'preview' | 'allow204'>,
    signal: AbortSignal,
  ): Promise<{ value: RespmodResult; reusable: boolean }> {
    const { socket } = connection;
    const reqHdr = `GET /${encodeURIComponent(file.name)} HTTP/1.1\r\nHost: assay.invalid\r\n\r\n`;
    const resHdr = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${file.size}\r\n\r\n`;
    const previewBytes = server.preview === undefined ? undefined : Math.min(server.preview, file.size);
    const lines = [
      // A 204 spares sending the file back; a server that offers none answers 200 with the file echoed.
      ...(server.allow204 ? ['Allow: 204'] : []),
      ...(previewBytes === undefined ? [] : [`Preview: ${previewBytes}`]),
      `Encapsulated: req-hdr=0, res-hdr=${Buffer.byteLength(reqHdr)}, res-body=${Buffer.byteLength(reqHdr) + resHdr.length}`,
    ];
    await write(socket, Buffer.concat([this.requestHead('RESPMOD', lines), Buffer.from(reqHdr + resHdr, 'latin1')]), signal);
    const maxBody = file.size + MAX_EXTRA_BODY_BYTES;
    let sent = 0;
    if (previewBytes !== undefined) {
      sent = await sendChunks(socket, handle, 0, previewBytes, signal);
      // `ieof`: the preview is the whole file, so the server must decide without a 100 Continue.
      await write(socket, Buffer.from(sent === file.size ? '0; ieof\r\n\r\n' : '0\r\n\r\n', 'latin1'), signal);
      const first = await readResponse(connection, signal, maxBody, true);
      if (first.icap.status !== 100) return { value: first, reusable: !closes(first.icap) };
      if (sent === file.size) throw new IcapProtocolError('100 Continue after a preview marked ieof');
    }
    // The rest of the file; the server may answer before taking it all (then the connection is spent).
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let complete = false;
    const sending = (async () => {
      await sendChunks(socket, handle, sent, file.size - sent, stop.signal);
      await write(socket, Buffer.from('0\r\n\r\n', 'latin1'), stop.signal);
      complete = true;
    })();
    sending.catch(() => undefined);
    try {
      const final = await readResponse(connection, signal, maxBody, false);
      if (!complete) stop.abort(new Error('the ICAP server answered before the whole file was sent'));
      await sending.catch(() => undefined);
      return { value: final, reusable: complete && !closes(final.icap) };
    } finally {
      signal.removeEventListener('abort', onAbort);
      stop.abort(new Error('done'));
    }
  }

  private requestHead(method: string, lines: string[]): Buffer {
    const { host, port, uri } = this.target;
    const hostHeader = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return Buffer.from(`${method} ${uri} ICAP/1.0\r\nHost: ${hostHeader}\r\nUser-Agent: Assay\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1');
  }

  /**
   * Runs one request on a pooled connection. A reused connection the server closed while idle fails
   * before any byte of an answer arrives; such a request is sent once more on a fresh connection.
   */
  private async exchange<T>(signal: AbortSignal, run: (connection: IcapConnection) => Promise<{ value: T; reusable: boolean }>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const connection = await this.pool.acquire(signal);
      connection.reader.received = 0;
      const onAbort = () => connection.socket.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const { value, reusable } = await run(connection);
        this.pool.release(connection, reusable);
        return value;
      } catch (error) {
        this.pool.release(connection, false);
        signal.throwIfAborted();
        if (connection.reused && connection.reader.received === 0 && attempt === 0) continue;
        throw asPluginError(error, this.target);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
  }
}

/** Reads one response: its head, the encapsulated HTTP head, and the body (drained, bounded). */
async function readResponse(connection: IcapConnection, signal: AbortSignal, maxBody: number, mayContinue: boolean): Promise<RespmodResult> {
  signal.throwIfAborted();
  const { reader } = connection;
  const icap = parseIcapHead((await reader.readUntil('\r\n\r\n', MAX_HEAD_BYTES, 'the ICAP response head')).toString('latin1'));
  if (icap.status === 100) {
    if (!mayContinue) throw new IcapProtocolError('an unexpected 100 Continue');
    return { icap, httpStatus: undefined, bodyStart: Buffer.alloc(0) };
  }
  const encapsulated = header(icap, 'encapsulated');
  if (encapsulated === undefined || icap.status === 204) return { icap, httpStatus: undefined, bodyStart: Buffer.alloc(0) };
  const parts = parseEncapsulated(encapsulated, MAX_HEAD_BYTES);
  let httpStatus: number | undefined;
  for (let i = 0; i < parts.length - 1; i++) {
    const section = await reader.readExact(parts[i + 1]!.offset - parts[i]!.offset, `the encapsulated ${parts[i]!.name}`);
    if (parts[i]!.name === 'res-hdr') httpStatus = parseHttpStatus(section.toString('latin1'));
  }
  const body = parts[parts.length - 1]!.name;
  const bodyStart = body === 'null-body' ? Buffer.alloc(0) : (await reader.readChunkedBody(maxBody, KEPT_BODY_BYTES)).kept;
  return { icap, httpStatus, bodyStart };
}

/** Sends `length` bytes of the file from `offset` as chunks; resolves to the bytes sent. */
async function sendChunks(socket: Socket, handle: fs.FileHandle, offset: number, length: number, signal: AbortSignal): Promise<number> {
  let sent = 0;
  const block = Buffer.allocUnsafe(Math.min(READ_BLOCK, Math.max(length, 1)));
  while (sent < length) {
    signal.throwIfAborted();
    const { bytesRead } = await handle.read(block, 0, Math.min(block.length, length - sent), offset + sent);
    // The file is a committed blob and cannot shrink; a short read means something is badly wrong.
    if (bytesRead === 0) throw new PluginError('file_changed', 'the file ended before its recorded size');
    await write(socket, Buffer.concat([Buffer.from(`${bytesRead.toString(16)}\r\n`, 'latin1'), block.subarray(0, bytesRead), CRLF]), signal);
    sent += bytesRead;
  }
  return sent;
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** Writes and waits until the socket takes more (backpressure), or fails on abort or a closed socket. */
function write(socket: Socket, data: Buffer, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (socket.destroyed) return Promise.reject(new IcapProtocolError('connection closed by the ICAP server'));
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      socket.off('close', onClose);
      socket.off('drain', onDrain);
    };
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    const onClose = () => {
      cleanup();
      reject(new IcapProtocolError('connection closed by the ICAP server while sending'));
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', onClose);
    if (socket.write(data)) {
      cleanup();
      resolve();
    } else socket.once('drain', onDrain);
  });
}

function closes(head: IcapHead): boolean {
  return /\bclose\b/i.test(header(head, 'connection') ?? '');
}

function intHeader(head: IcapHead, name: string): number | undefined {
  const value = header(head, name);
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

function asPluginError(error: unknown, target: IcapTarget): PluginError {
  if (error instanceof PluginError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof IcapProtocolError) return new PluginError('icap_protocol', `${target.uri}: ${message}`, true);
  return new PluginError('icap_unreachable', `${target.uri}: ${message}`, true);
}
