// Messages through the hash worker chain (types only, shared by both sides).
//
// Every message enters the first worker and is passed down the chain, worker to worker, in
// order; the last worker answers the main thread. One FIFO path means a batch is never seen
// before its session is open, and the digests are asked for only after every batch.

export type ChainMessage =
  /** `fd`: the staging file, open for writing, for the worker that writes. */
  | { op: 'open'; session: number; fd: number }
  /** `buffer` is transferred from thread to thread, never copied, and comes back to the main thread. */
  | { op: 'update'; session: number; seq: number; buffer: ArrayBuffer; length: number; position: number; error?: string; errorCode?: string }
  /** Each worker adds its digests, in the order of its algorithms. */
  | { op: 'digest'; session: number; digests: Record<string, string> }
  | { op: 'abort'; session: number };
