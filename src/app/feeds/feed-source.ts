/**
 * Opens a feed's bytes from a file path or an http(s) URL, counting what is read (for progress) and
 * gunzipping `.gz` sources after the count, so the count compares with the size on disk or on the wire.
 *
 * A URL is downloaded to a spool file first and imported from there: the store replaces a feed
 * inside one write transaction, and on SQLite that transaction holds the write lock (and, in the
 * server process, the only connection) for as long as the entries keep coming. Spooling makes it
 * last the parse of a local file, not a download from a slow mirror.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addAbortSignal, pipeline, Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { fetchFeed, type FeedFetch } from './fetch-feed.js';

export interface OpenedFeed {
  /** Decompressed bytes, ready for a feed parser. */
  bytes: AsyncIterable<Uint8Array>;
  /** Bytes of the source (compressed, when it is), when known. */
  totalBytes: number | undefined;
  /** The source as recorded with the feed: an absolute path, or the URL without credentials. */
  displaySource: string;
  /** Removes the spool file, if any; safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenFeedOptions {
  fetch?: FeedFetch;
  signal?: AbortSignal;
  /** Directory for the spool file of a downloaded feed; default the system's temporary directory. */
  spoolDir?: string;
  /**
   * Bytes read so far and the total when known: while downloading, the download; then, reading
   * the spool file, the whole download (so a progress bar stays full while the parse catches up).
   */
  onBytes?: (bytesRead: number, totalBytes: number | undefined) => void;
}

export const isHttpSource = (source: string): boolean => /^https?:\/\//i.test(source);

/** The URL without user and password, so they are never stored or logged; paths are made absolute. */
export function displaySourceOf(source: string): string {
  if (!isHttpSource(source)) return path.resolve(source);
  try {
    const url = new URL(source);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return source;
  }
}

export async function openFeedSource(source: string, options: OpenFeedOptions = {}): Promise<OpenedFeed> {
  const onBytes = options.onBytes;
  if (!isHttpSource(source)) {
    const info = await stat(source);
    if (!info.isFile()) throw new Error(`${source}: not a regular file`);
    return {
      bytes: readFile(source, source.endsWith('.gz'), options.signal, (read) => onBytes?.(read, info.size)),
      totalBytes: info.size,
      displaySource: displaySourceOf(source),
      close: async () => {},
    };
  }

  const gzipped = new URL(source).pathname.endsWith('.gz');
  const spoolDir = options.spoolDir ?? os.tmpdir();
  await mkdir(spoolDir, { recursive: true });
  const spool = path.join(spoolDir, `.assay-feed-${randomBytes(8).toString('hex')}${gzipped ? '.gz' : ''}`);
  const close = () => rm(spool, { force: true });
  try {
    const fetched = await (options.fetch ?? fetchFeed)(source, options.signal);
    const body = fetched instanceof Readable ? fetched : fetched.body;
    const declared = fetched instanceof Readable ? undefined : fetched.totalBytes;
    if (options.signal) addAbortSignal(options.signal, body);
    let downloaded = 0;
    await pipelineAsync(
      body,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          downloaded += chunk.byteLength;
          onBytes?.(downloaded, declared);
          yield chunk;
        }
      },
      createWriteStream(spool),
    );
    if (declared !== undefined && downloaded !== declared) throw new Error(`${displaySourceOf(source)}: got ${downloaded} of ${declared} bytes`);
    return {
      bytes: readFile(spool, gzipped, options.signal, () => onBytes?.(downloaded, downloaded)),
      totalBytes: downloaded,
      displaySource: displaySourceOf(source),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The file's bytes, gunzipped when asked, calling `onRead` with the count of file bytes read. */
function readFile(file: string, gzipped: boolean, signal: AbortSignal | undefined, onRead: (bytesRead: number) => void): AsyncIterable<Uint8Array> {
  let bytesRead = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    // Opened on first read, so a feed that is never read holds no descriptor.
    const readable = createReadStream(file);
    if (signal) addAbortSignal(signal, readable);
    // Leaving this loop early (the parser stopped) destroys the stream and closes the file.
    for await (const chunk of readable as AsyncIterable<Uint8Array>) {
      bytesRead += chunk.byteLength;
      onRead(bytesRead);
      yield chunk;
    }
  }
  return gzipped ? pipeline(Readable.from(counted(), { objectMode: false }), createGunzip(), () => {}) : counted();
}
