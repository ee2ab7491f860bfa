/** Random access to a file's bytes (or a buffer's, in tests) with every read bounded by the caller. */
import type { FileHandle } from 'node:fs/promises';

export interface ByteReader {
  readonly size: number;
  /** Up to `length` bytes at `offset`; shorter (possibly empty) past the end, never throws for range. */
  read(offset: number, length: number): Promise<Buffer>;
}

export function bufferReader(buf: Buffer): ByteReader {
  return {
    size: buf.length,
    read: async (offset, length) => {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset >= buf.length || length <= 0) return Buffer.alloc(0);
      return buf.subarray(offset, Math.min(buf.length, offset + length));
    },
  };
}

export function fileReader(handle: FileHandle, size: number): ByteReader {
  return {
    size,
    read: async (offset, length) => {
      if (!Number.isSafeInteger(offset) || offset < 0 || offset >= size || length <= 0) return Buffer.alloc(0);
      const want = Math.min(length, size - offset);
      const out = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(out, got, want - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === want ? out : out.subarray(0, got);
    },
  };
}
