/** An in-process IntelCacheStore (tests, single-process use): entries in a Map, budgets per UTC minute. */
import type { IntelCacheStore } from './cached-intel.js';

type Entry = { value: unknown; fetchedAt: number; expiresAt: number };

export class MemoryIntelCacheStore implements IntelCacheStore {
  private readonly entries = new Map<string, Entry>();
  private readonly budgets = new Map<string, { minute: number; used: number }>();

  async get(source: string, key: string): Promise<Entry | undefined> {
    const entry = this.entries.get(`${source}\u0000${key}`);
    // A copy, as a database would give: callers must not change what is stored.
    return entry ? structuredClone(entry) : undefined;
  }

  async put(source: string, key: string, entry: Entry): Promise<void> {
    this.entries.set(`${source}\u0000${key}`, structuredClone(entry));
  }

  async takeBudget(source: string, perMinute: number, nowMs: number): Promise<boolean> {
    const minute = Math.floor(nowMs / 60_000);
    const budget = this.budgets.get(source);
    const used = budget && budget.minute === minute ? budget.used : 0;
    if (used >= perMinute) return false;
    this.budgets.set(source, { minute, used: used + 1 });
    return true;
  }
}
