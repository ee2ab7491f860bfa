/** A worker for the pool's tests: echoes, spins the CPU, throws or exits on request; every reply says which thread, started with what data. */
import { threadId } from 'node:worker_threads';
import { serveRequests } from '../thread-pool.js';

export type EchoRequest =
  | { op: 'echo'; value: unknown }
  | { op: 'spin'; ms: number }
  | { op: 'sum'; bytes: Uint8Array }
  | { op: 'throw'; message: string }
  | { op: 'exit' };

export interface EchoReply {
  threadId: number;
  /** The workerData this thread started with. */
  data: unknown;
  value?: unknown;
}

export interface EchoInfo {
  threadId: number;
  data: unknown;
}

serveRequests<EchoRequest, EchoReply>(async (data) => {
  const { failInit } = (data ?? {}) as { failInit?: string };
  if (failInit) throw new Error(failInit);
  return {
    info: { threadId, data } satisfies EchoInfo,
    handle(request) {
      switch (request.op) {
        case 'echo':
          return { value: { threadId, data, value: request.value } };
        case 'spin': {
          // Synchronous on purpose: the thread cannot take messages while it runs.
          const until = performance.now() + request.ms;
          while (performance.now() < until);
          return { value: { threadId, data } };
        }
        case 'sum':
          return { value: { threadId, data, value: request.bytes.reduce((a, b) => a + b, 0) } };
        case 'throw':
          throw new Error(request.message);
        case 'exit':
          process.exit(3);
      }
    },
  };
});
