/**
 * Uncapped quota counters and API usage, counted in memory and added to the store in batches.
 * Nothing can be refused on an uncapped counter, so it needs no per-request transaction; counting
 * each request in the store took two write transactions per API call (docs/benchmarks.md). The
 * cost: up to one interval of counts is lost if the process dies, and other processes see them
 * that much later (docs/auth.md).
 */
import type { QuotaCheck, QuotaCounters } from '../../store/ports/quota-counters.js';

export class DeferredCounts {
  private counters = new Map<string, { expiresAt: number; by: number }>();
  private usage = new Map<string, { userId: string; day: string; group: string; count: number }>();
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: QuotaCounters,
    /** Milliseconds since the epoch. */
    private readonly now: () => number,
    intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.flush().catch(onError), intervalMs);
    this.timer.unref();
  }

  count(checks: readonly QuotaCheck[]): void {
    for (const check of checks) {
      const pending = this.counters.get(check.key);
      if (pending) pending.by += check.by ?? 1;
      else this.counters.set(check.key, { expiresAt: check.expiresAt, by: check.by ?? 1 });
    }
  }

  recordUsage(userId: string, day: string, group: string): void {
    const key = `${userId}\0${day}\0${group}`;
    const pending = this.usage.get(key);
    if (pending) pending.count += 1;
    else this.usage.set(key, { userId, day, group, count: 1 });
  }

  /** Writes what is pending; runs after any flush already under way, so callers can read their own counts. */
  flush(): Promise<void> {
    this.running = this.running.then(() => this.write(), () => this.write());
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    const counters = this.counters;
    const usage = this.usage;
    if (counters.size === 0 && usage.size === 0) return;
    this.counters = new Map();
    this.usage = new Map();
    try {
      const checks = [...counters].map(([key, c]) => ({ key, limit: null, expiresAt: c.expiresAt, by: c.by }));
      if (checks.length > 0) await this.store.admit(checks, Math.floor(this.now() / 1000));
    } catch (error) {
      // Kept for the next flush rather than lost while the store is briefly unavailable.
      for (const [key, c] of counters) this.count([{ key, limit: null, expiresAt: c.expiresAt, by: c.by }]);
      for (const [key, u] of usage) {
        const pending = this.usage.get(key);
        if (pending) pending.count += u.count;
        else this.usage.set(key, u);
      }
      throw error;
    }
    let failure: unknown;
    for (const u of usage.values()) {
      try {
        await this.store.recordUsage(u.userId, u.day, u.group, u.count);
      } catch (error) {
        failure ??= error;
        const pending = this.usage.get(`${u.userId}\0${u.day}\0${u.group}`);
        if (pending) pending.count += u.count;
        else this.usage.set(`${u.userId}\0${u.day}\0${u.group}`, { ...u });
      }
    }
    if (failure !== undefined) this.onError(failure);
  }
}
