/**
 * Worker-thread entry for the PDF analyzer: reads one file (up to the size bound) and analyses it.
 * Parsing is synchronous and can take seconds on a large or hostile file, so it runs here, where
 * aborting means terminating the thread.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Transferable } from 'node:worker_threads';
import { serveRequests } from '../../threads/thread-pool.js';
import { analyzePdf } from './analyze-pdf.js';
import type { PdfLimits } from './pdf-limits.js';

export interface PdfRequest {
  path: string;
  limits: PdfLimits;
  /** Return the embedded files' bytes too. */
  withChildren: boolean;
}

export type PdfResult =
  | { kind: 'report'; pdfInfo: Record<string, unknown>; tags: string[]; children: Array<{ name: string; bytes: Uint8Array }> }
  | { kind: 'unreadable'; message: string }
  | { kind: 'too_large'; size: number };

function analyzeFile(request: PdfRequest): { value: PdfResult; transfer?: Transferable[] } {
  let fd: number;
  try {
    fd = openSync(request.path, 'r');
  } catch (err) {
    return { value: { kind: 'unreadable', message: (err as Error).message } };
  }
  let buf: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { value: { kind: 'unreadable', message: `${request.path} is not a regular file` } };
    if (stat.size > request.limits.maxFileBytes) return { value: { kind: 'too_large', size: stat.size } };
    buf = Buffer.alloc(stat.size);
    let filled = 0;
    while (filled < buf.length) {
      const n = readSync(fd, buf, filled, buf.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    buf = buf.subarray(0, filled);
  } catch (err) {
    return { value: { kind: 'unreadable', message: (err as Error).message } };
  } finally {
    closeSync(fd);
  }
  const report = analyzePdf(buf, request.limits);
  // Each child gets an ArrayBuffer of its own (its bytes may be a view of the file), so it can be moved, not copied.
  const children = request.withChildren ? report.embeddedFiles.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })) : [];
  return {
    value: { kind: 'report', pdfInfo: report.pdfInfo, tags: report.tags, children },
    transfer: children.map((c) => c.bytes.buffer),
  };
}

serveRequests<PdfRequest, PdfResult>(async () => ({ handle: analyzeFile }));
