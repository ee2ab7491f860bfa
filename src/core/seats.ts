/** Licence seats: a counting semaphore that caps how many calls a plugin makes to a licensed backend at once. */

export class Seats {
  private inUse = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`seats must be a positive integer, got ${size}`);
  }

  get busy(): number {
    return this.inUse;
  }

  /** Runs `fn` once a seat is free; waiting ends with the signal's reason when it aborts first. */
  async use<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.take(signal);
    try {
      return await fn();
    } finally {
      this.give();
    }
  }

  private take(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.inUse < this.size) {
      this.inUse++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.inUse++;
          resolve();
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private give(): void {
    this.inUse--;
    this.waiting.shift()?.grant();
  }
}
