/**
 * Worker-thread entry for the pe analyzer: reads one file and runs analyzePe on it, so hashing a
 * large image and walking hostile tables never blocks the event loop, and a run past the
 * analyzer's deadline can be stopped by terminating the thread.
 */
import { readFileSync, statSync } from 'node:fs';
import { serveRequests } from '../../threads/thread-pool.js';
import { analyzePe, PeFormatError, type PeAnalysis } from './analyze-pe.js';
import { DEFAULT_PE_LIMITS, type PeLimits } from './pe-limits.js';

export interface PeRequest {
  path: string;
  limits?: Partial<PeLimits>;
}

export type PeResult = { kind: 'pe'; analysis: PeAnalysis } | { kind: 'not-pe'; message: string } | { kind: 'unreadable'; message: string };

function analyzeFile(request: PeRequest): PeResult {
  const limits: PeLimits = { ...DEFAULT_PE_LIMITS, ...request.limits };
  let data: Buffer;
  try {
    const st = statSync(request.path);
    if (!st.isFile()) return { kind: 'unreadable', message: `${request.path} is not a regular file` };
    if (st.size > limits.maxFileBytes) return { kind: 'not-pe', message: `larger than ${limits.maxFileBytes} bytes` };
    data = readFileSync(request.path);
  } catch (err) {
    return { kind: 'unreadable', message: (err as Error).message };
  }
  try {
    return { kind: 'pe', analysis: analyzePe(data, limits) };
  } catch (err) {
    if (err instanceof PeFormatError || err instanceof RangeError) return { kind: 'not-pe', message: err.message };
    throw err;
  }
}

serveRequests<PeRequest, PeResult>(async () => ({ handle: (request) => ({ value: analyzeFile(request) }) }));
