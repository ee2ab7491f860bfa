/**
 * Worker-thread entry for the office analyzer: reads one file and parses it here, so a slow or
 * hostile document costs this thread, which the pool terminates at the deadline, and never the
 * event loop.
 */
import { readFile, stat } from 'node:fs/promises';
import { serveRequests, type WorkerAnswer } from '../../threads/thread-pool.js';
import { analyzeOffice, extractChildren, type OfficeAnalysis } from './analyze-office.js';

export interface OfficeRequest {
  path: string;
  maxBytes: number;
  /** Return the embedded objects as files instead of the attributes. */
  withChildren: boolean;
}

export type OfficeResult =
  | ({ kind: 'analysis' } & OfficeAnalysis)
  | { kind: 'children'; children: Array<{ name: string; bytes: Uint8Array }> }
  | { kind: 'unreadable'; message: string }
  | { kind: 'too_large'; size: number }
  | { kind: 'malformed'; message: string };

async function handle(request: OfficeRequest): Promise<WorkerAnswer<OfficeResult>> {
  let data: Buffer;
  try {
    const info = await stat(request.path);
    if (!info.isFile()) return { value: { kind: 'unreadable', message: `${request.path} is not a regular file` } };
    if (info.size > request.maxBytes) return { value: { kind: 'too_large', size: info.size } };
    data = await readFile(request.path);
  } catch (err) {
    return { value: { kind: 'unreadable', message: (err as Error).message } };
  }
  try {
    if (!request.withChildren) return { value: { kind: 'analysis', ...(await analyzeOffice(data)) } };
    // Copies, so each child's buffer can move to the main thread without the file's buffer.
    const children = (await extractChildren(data)).map((c) => ({ name: c.name, bytes: new Uint8Array(c.bytes) }));
    return { value: { kind: 'children', children }, transfer: children.map((c) => c.bytes.buffer) };
  } catch (err) {
    return { value: { kind: 'malformed', message: (err as Error).message } };
  }
}

serveRequests<OfficeRequest, OfficeResult>(async () => ({ handle }));
