/**
 * A small map whose entries expire after a few seconds: authentication and quota overrides are
 * read on every request, and a lookup benchmark spent most of its time re-reading the same rows.
 * Changes made through this process clear it at once; a change made by another process (the CLI
 * revoking a key) applies within the TTL (docs/auth.md).
 */
export class ShortLivedCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Past this many entries the oldest go first, so a flood of wrong keys cannot grow it. */
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** Reads through: the cached value, or `load`'s (cached unless undefined). */
  async getOrLoad(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = await load();
    if (value !== undefined) this.set(key, value);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
