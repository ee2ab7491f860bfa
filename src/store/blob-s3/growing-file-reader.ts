/**
 * A Readable over a local file that another writer is still appending to: it reads what is there,
 * waits for more while the writer works, and ends at the size the writer finally reports. This
 * lets the S3 staging upload run while an upload body is still being received and hashed.
 *
 * Why by hand: the writers are worker threads appending through a descriptor (the hash chain),
 * which cannot also feed a stream; Node has no "tail -f" stream of its own.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** What the writer reports when it is done: the file's final size, or why it stopped. */
export type WriterOutcome = { size: number } | { error: Error };

const CHUNK_BYTES = 1024 * 1024;
/** How long to wait for more bytes before looking again, while the writer has not finished. */
const WAIT_MS = 20;

export class GrowingFileReader extends Readable {
  private handle: FileHandle | undefined;
  private position = 0;
  private outcome: WriterOutcome | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly file: string,
    writerDone: Promise<WriterOutcome>,
  ) {
    super({ highWaterMark: CHUNK_BYTES });
    void writerDone.then((outcome) => {
      this.outcome = outcome;
      this.wake?.();
    });
  }

  /** Bytes read so far. */
  get bytesRead(): number {
    return this.position;
  }

  override _read(): void {
    this.readMore().catch((error: unknown) => this.destroy(error as Error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.wake?.();
    const handle = this.handle;
    this.handle = undefined;
    void (handle?.close() ?? Promise.resolve()).finally(() => callback(error));
  }

  private async readMore(): Promise<void> {
    this.handle ??= await open(this.file, 'r');
    for (;;) {
      if (this.destroyed) return;
      const outcome = this.outcome;
      if (outcome && 'error' in outcome) throw outcome.error;
      const limit = outcome ? outcome.size - this.position : CHUNK_BYTES;
      if (outcome && limit <= 0) {
        this.push(null);
        return;
      }
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, limit));
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.position);
      if (bytesRead > 0) {
        this.position += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
        return;
      }
      if (outcome) throw new Error(`The staged file is shorter (${this.position} bytes) than its writer reported (${outcome.size})`);
      // Nothing new yet: wait for the writer, or a little while.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WAIT_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
