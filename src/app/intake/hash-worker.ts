// One link of the hash chain: hashes batches with its algorithms (and maybe writes them), then passes them on.
import { createHash, type Hash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { ChainMessage } from './hash-protocol.js';

interface LinkData {
  algorithms: string[];
  writes: boolean;
  /** Where batches come from: the previous link, or the main thread for the first one. */
  input?: MessagePort;
  /** Where they go next; absent for the last link, which answers the main thread. */
  output?: MessagePort;
}

const { algorithms, writes, input, output } = workerData as LinkData;
const main = parentPort;
if (!main) throw new Error('hash-worker must run in a worker thread');
const next = output ?? main;

// Several uploads share the chain, so state is kept per session.
const sessions = new Map<number, { hashes: Hash[]; fd: number; error?: string; errorCode?: string }>();

function writeAll(fd: number, view: Uint8Array, position: number): void {
  for (let done = 0; done < view.length; ) done += writeSync(fd, view, done, view.length - done, position + done);
}

function handle(message: ChainMessage): void {
  switch (message.op) {
    case 'open':
      sessions.set(message.session, { hashes: algorithms.map((a) => createHash(a)), fd: message.fd });
      break;
    case 'update': {
      const session = sessions.get(message.session);
      if (session && !session.error && !message.error) {
        try {
          const view = new Uint8Array(message.buffer, 0, message.length);
          if (writes) writeAll(session.fd, view, message.position);
          for (const h of session.hashes) h.update(view);
        } catch (e) {
          // Remembered, so later batches of this session are not written after a gap.
          session.error = e instanceof Error ? e.message : String(e);
          // The errno (ENOSPC, EIO) crosses the thread too: a full disk is a 503 to the client, not a 500.
          const code = (e as NodeJS.ErrnoException).code;
          if (typeof code === 'string') session.errorCode = code;
        }
      }
      const error = message.error ?? session?.error;
      const errorCode = message.errorCode ?? session?.errorCode;
      next.postMessage({ ...message, ...(error ? { error } : {}), ...(errorCode ? { errorCode } : {}) } satisfies ChainMessage, [message.buffer]);
      return;
    }
    case 'digest': {
      const session = sessions.get(message.session);
      sessions.delete(message.session);
      algorithms.forEach((a, i) => (message.digests[a] = session?.hashes[i]!.digest('hex') ?? ''));
      break;
    }
    case 'abort':
      sessions.delete(message.session);
      break;
  }
  // The main thread waits only for batches and digests.
  if (output || message.op === 'digest') next.postMessage(message);
}

(input ?? main).on('message', handle);
