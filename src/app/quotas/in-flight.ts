/** Requests of each user in flight in this process, capped per user (the tier's maxConcurrentRequests). */

export class InFlightLimiter {
  private readonly counts = new Map<string, number>();

  count(userId: string): number {
    return this.counts.get(userId) ?? 0;
  }

  /** Takes a slot when fewer than `max` are taken; the release function frees it once, however often called. */
  tryAcquire(userId: string, max: number): (() => void) | undefined {
    const taken = this.count(userId);
    if (taken >= max) return undefined;
    this.counts.set(userId, taken + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.count(userId) - 1;
      if (left > 0) this.counts.set(userId, left);
      else this.counts.delete(userId);
    };
  }
}
