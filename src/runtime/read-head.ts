/** Bounded reads of a file's first bytes, shared by plugins that look at a file's head (engines, analyzers). */
import { open } from 'node:fs/promises';

/** Up to `maxBytes` from the start of the file at `path` (fewer when the file is shorter). */
export async function readHead(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}
