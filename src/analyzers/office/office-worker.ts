/**
 * Worker-thread entry for the office analyzer: reads one file and parses it here, so a slow or
 * hostile document costs this thread, which the pool terminates at the deadline, and never the
 * event loop.
 */
import { readFile, stat } from 'node:fs/promises';
import { serveRequests } from '../../core/worker-pool.js';
import { analyzeOffice, type OfficeAnalysis } from './analyze-office.js';

export interface OfficeRequest {
  path: string;
  maxBytes: number;
}

export type OfficeResult = ({ kind: 'analysis' } & OfficeAnalysis) | { kind: 'unreadable'; message: string } | { kind: 'malformed'; message: string };

async function handle(request: OfficeRequest): Promise<OfficeResult> {
  let data: Buffer;
  try {
    const info = await stat(request.path);
    if (!info.isFile()) return { kind: 'unreadable', message: `${request.path} is not a regular file` };
    if (info.size > request.maxBytes) return { kind: 'unreadable', message: `file larger than ${request.maxBytes} bytes` };
    data = await readFile(request.path);
  } catch (err) {
    return { kind: 'unreadable', message: (err as Error).message };
  }
  try {
    return { kind: 'analysis', ...(await analyzeOffice(data)) };
  } catch (err) {
    return { kind: 'malformed', message: (err as Error).message };
  }
}

serveRequests<OfficeRequest, OfficeResult>(async () => ({ handle: async (request) => ({ value: await handle(request) }) }));
