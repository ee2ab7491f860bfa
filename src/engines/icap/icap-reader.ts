/**
 * Reads an ICAP server's bytes off one socket: heads up to a delimiter and chunked bodies, each
 * bounded, with the socket paused while unread bytes pile up (the server cannot make us buffer).
 */
import type { Socket } from 'node:net';

/** Unread bytes past which the socket is paused until they are consumed. */
const HIGH_WATER = 256 * 1024;
/** A chunk-size line (hex size and extensions) longer than this is refused. */
const MAX_CHUNK_LINE = 1024;
/** Trailer lines after the last chunk. */
const MAX_TRAILER_LINES = 32;

export class IcapProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IcapProtocolError';
  }
}

export class IcapReader {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Bytes received since the last `resetCount()`: a connection that failed before any was received may be retried. */
  received = 0;

  constructor(private readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.received += data.length;
      this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
      if (this.buffer.length > HIGH_WATER) socket.pause();
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (error) => {
      this.failure ??= error;
      this.notify();
    });
  }

  /** Bytes received but not yet read (a response followed by more bytes makes the connection unusable). */
  get pending(): number {
    return this.buffer.length;
  }

  /** Everything up to and including `delimiter`, refusing more than `max` bytes before it. */
  async readUntil(delimiter: string, max: number, what: string): Promise<Buffer> {
    for (;;) {
      const at = this.buffer.indexOf(delimiter, 0, 'latin1');
      if (at >= 0 && at + delimiter.length <= max) return this.take(at + delimiter.length);
      if (at >= 0 || this.buffer.length > max) throw new IcapProtocolError(`${what} is longer than ${max} bytes`);
      await this.more(what);
    }
  }

  /** Exactly `length` bytes. */
  async readExact(length: number, what: string): Promise<Buffer> {
    while (this.buffer.length < length) await this.more(what);
    return this.take(length);
  }

  /**
   * Reads a chunked body to its end, keeping its first `keep` bytes and discarding the rest, and
   * refusing a body of more than `max` bytes.
   */
  async readChunkedBody(max: number, keep: number): Promise<{ bytes: number; kept: Buffer }> {
    let bytes = 0;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    for (;;) {
      const line = (await this.readUntil('\r\n', MAX_CHUNK_LINE, 'a chunk-size line')).toString('latin1');
      const size = parseChunkSize(line);
      if (size === 0) break;
      bytes += size;
      if (bytes > max) throw new IcapProtocolError(`response body is larger than ${max} bytes`);
      let left = size;
      while (left > 0) {
        if (this.buffer.length === 0) await this.more('a body chunk');
        const piece = this.take(Math.min(left, this.buffer.length));
        left -= piece.length;
        if (keptBytes < keep) {
          const part = piece.subarray(0, keep - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
      }
      const end = await this.readExact(2, 'a chunk end');
      if (end.toString('latin1') !== '\r\n') throw new IcapProtocolError('a chunk is not followed by CRLF');
    }
    for (let i = 0; ; i++) {
      if (i >= MAX_TRAILER_LINES) throw new IcapProtocolError(`more than ${MAX_TRAILER_LINES} trailer lines`);
      const line = await this.readUntil('\r\n', MAX_CHUNK_LINE, 'a trailer line');
      if (line.length === 2) break;
    }
    return { bytes, kept: Buffer.concat(kept) };
  }

  private take(length: number): Buffer {
    const out = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    if (this.buffer.length <= HIGH_WATER && this.socket.isPaused()) this.socket.resume();
    return out;
  }

  private async more(what: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended) throw new IcapProtocolError(`connection closed by the ICAP server while reading ${what}`);
    if (this.socket.isPaused()) this.socket.resume();
    await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** `1a2b; ieof\r\n` → 0x1a2b; at most 12 hex digits, so a size cannot overflow a double. */
export function parseChunkSize(line: string): number {
  const match = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;[^\r\n]*)?\r\n$/.exec(line);
  if (!match) throw new IcapProtocolError(`bad chunk-size line ${JSON.stringify(line.slice(0, 40))}`);
  return parseInt(match[1]!, 16);
}
