/**
 * Scheduled feed refreshes: the ASSAY_FEEDS syntax (`urlhaus=https://...@6h,plain:MyList=...@12h`)
 * and the scheduler that imports each feed when due, one import per feed at a time, keeping the
 * previous entries whenever a refresh fails.
 */
import { feedFormats, isFeedFormatName, type FeedFormatName } from '../../feeds/index.js';
import type { Store } from '../../store/ports/store.js';
import { displaySourceOf } from './feed-source.js';
import type { FeedFetch } from './fetch-feed.js';
import { feedNameOf, importFeed, type ImportFeedResult } from './import-feed.js';

export interface ScheduledFeed {
  format: FeedFormatName;
  /** Engine name, as in `assay feeds import --name`. */
  name: string;
  /** http(s) URL or file path. */
  source: string;
  intervalMs: number;
}

/** A mistake in the schedule text; the message names the item. */
export class FeedScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedScheduleError';
  }
}

export const DEFAULT_FEED_INTERVAL_MS = 6 * 3_600_000;
/** Feed publishers ask for restraint (URLhaus: not more than every 5 minutes); a minute is a floor against typos. */
export const MIN_FEED_INTERVAL_MS = 60_000;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const INTERVAL = /@(\d+)([smhd])$/;
const ITEM = /^([a-z]+)(?::([^=]*))?=(.+)$/is;
/**
 * Items are split at commas that start another `format[:name]=`, so a comma inside a URL's query
 * stays part of the URL. Newlines separate items too (the value may come from a file).
 */
const ITEM_SEPARATOR = new RegExp(`\\s*(?:\\n|,(?=\\s*(?:${Object.keys(feedFormats).join('|')})(?::[^=,]*)?=))\\s*`, 'i');

/**
 * Parses `format[:name]=source[@interval]` items, e.g.
 * `urlhaus=https://urlhaus.abuse.ch/downloads/csv_recent/@1h, plain:Local=/srv/blocklist.txt@12h`.
 * The interval is digits and one of s, m, h, d (default 6h); a plain list needs its name.
 */
export function parseFeedSchedule(text: string): ScheduledFeed[] {
  const feeds: ScheduledFeed[] = [];
  for (const item of text.trim().split(ITEM_SEPARATOR)) {
    if (item === '') continue;
    const match = ITEM.exec(item);
    if (!match) throw new FeedScheduleError(`"${item}": expected format[:name]=source[@interval]`);
    const [, formatGiven, nameText, rest] = match as unknown as [string, string, string | undefined, string];
    const formatText = formatGiven.toLowerCase();
    if (!isFeedFormatName(formatText)) {
      throw new FeedScheduleError(`"${item}": unknown format "${formatText}" (one of ${Object.keys(feedFormats).join(', ')})`);
    }
    const interval = INTERVAL.exec(rest);
    const source = (interval ? rest.slice(0, interval.index) : rest).trim();
    if (source === '') throw new FeedScheduleError(`"${item}": no source`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^https?:\/\//i.test(source)) {
      throw new FeedScheduleError(`"${item}": the source must be an http(s) URL or a file path`);
    }
    const intervalMs = interval ? Number(interval[1]) * UNIT_MS[interval[2]!]! : DEFAULT_FEED_INTERVAL_MS;
    if (intervalMs < MIN_FEED_INTERVAL_MS) throw new FeedScheduleError(`"${item}": the interval must be at least 1m`);
    let name: string;
    try {
      name = feedNameOf(formatText, nameText);
    } catch (err) {
      throw new FeedScheduleError(`"${item}": ${(err as Error).message}`);
    }
    if (feeds.some((f) => f.name === name)) throw new FeedScheduleError(`"${item}": feed "${name}" is listed twice`);
    feeds.push({ format: formatText, name, source, intervalMs });
  }
  return feeds;
}

/** What the scheduler logs through; a pino logger fits. */
export interface FeedSchedulerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Time and timers, injected so tests can move the clock by hand. */
export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real time; timers are unref'd so a pending refresh never keeps the process alive. */
export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface FeedSchedulerDeps {
  store: Pick<Store, 'feeds'>;
  logger: FeedSchedulerLogger;
  clock?: SchedulerClock;
  fetch?: FeedFetch;
  /** Where downloads are spooled (see feed-source.ts). */
  spoolDir?: string;
}

/** After a failed refresh the next try comes this soon (or at the feed's interval, if shorter). */
export const FEED_RETRY_MS = 10 * 60_000;
/** setTimeout fires at once for delays past 2^31-1 ms (~24.8 days); longer waits are done in legs. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class FeedScheduler {
  private readonly clock: SchedulerClock;
  private readonly nextRun = new Map<string, number>();
  private readonly timers = new Map<string, unknown>();
  private readonly running = new Map<string, Promise<ImportFeedResult | undefined>>();
  private readonly aborts = new Map<string, AbortController>();
  private started = false;
  private stopped = false;

  constructor(
    private readonly deps: FeedSchedulerDeps,
    private readonly feeds: readonly ScheduledFeed[],
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Arms a timer per feed. A feed the store already holds from the same source is next due one
   * interval after that import, so a restart does not download everything again.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const stored = new Map((await this.deps.store.feeds.list()).map((f) => [f.name, f]));
    if (this.stopped) return;
    const now = this.clock.now();
    for (const feed of this.feeds) {
      const previous = stored.get(feed.name);
      const fresh = previous !== undefined && previous.source === displaySourceOf(feed.source) && previous.format === feed.format;
      this.nextRun.set(feed.name, fresh ? previous.importedAt * 1000 + feed.intervalMs : now);
      this.arm(feed);
    }
    this.deps.logger.info({ feeds: this.feeds.map((f) => f.name) }, 'feed refreshes scheduled');
  }

  /** Clears the timers, aborts imports in flight (their feeds keep the previous entries) and waits for them. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const handle of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
    for (const controller of this.aborts.values()) controller.abort();
    await Promise.all(this.running.values());
  }

  /** When the feed is next imported (ms since the epoch); undefined for a feed not scheduled. */
  nextRunAt(name: string): number | undefined {
    return this.nextRun.get(name);
  }

  /** Imports the feed now; while one import of it runs, callers share that one. Undefined when it failed. */
  runNow(name: string): Promise<ImportFeedResult | undefined> {
    const feed = this.feeds.find((f) => f.name === name);
    if (!feed) return Promise.reject(new Error(`feed "${name}" is not scheduled`));
    return this.run(feed);
  }

  private arm(feed: ScheduledFeed): void {
    if (this.stopped) return;
    const previous = this.timers.get(feed.name);
    if (previous !== undefined) this.clock.clearTimeout(previous);
    const delay = Math.max(0, (this.nextRun.get(feed.name) ?? this.clock.now()) - this.clock.now());
    const handle = this.clock.setTimeout(
      () => {
        this.timers.delete(feed.name);
        if (delay > MAX_TIMER_MS) this.arm(feed);
        else void this.run(feed);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    this.timers.set(feed.name, handle);
  }

  private run(feed: ScheduledFeed): Promise<ImportFeedResult | undefined> {
    const inFlight = this.running.get(feed.name);
    if (inFlight) return inFlight;
    const pending = this.timers.get(feed.name);
    if (pending !== undefined) {
      this.clock.clearTimeout(pending);
      this.timers.delete(feed.name);
    }
    const controller = new AbortController();
    this.aborts.set(feed.name, controller);
    const started = this.clock.now();
    const source = displaySourceOf(feed.source);
    const attempt = (async (): Promise<ImportFeedResult | undefined> => {
      try {
        const result = await importFeed(
          { store: this.deps.store, now: () => this.clock.now() },
          {
            format: feed.format,
            name: feed.name,
            source: feed.source,
            signal: controller.signal,
            requireEntries: true,
            ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
            ...(this.deps.spoolDir ? { spoolDir: this.deps.spoolDir } : {}),
          },
        );
        this.nextRun.set(feed.name, this.clock.now() + feed.intervalMs);
        this.deps.logger.info(
          { feed: feed.name, source, entries: result.entries, skipped: result.skipped, feedDate: result.feedDate, ms: this.clock.now() - started },
          'feed imported',
        );
        return result;
      } catch (err) {
        this.nextRun.set(feed.name, this.clock.now() + Math.min(feed.intervalMs, FEED_RETRY_MS));
        if (!this.stopped) {
          this.deps.logger.warn({ feed: feed.name, source, err: err instanceof Error ? err.message : String(err) }, 'feed refresh failed; the previous entries are kept');
        }
        return undefined;
      } finally {
        this.running.delete(feed.name);
        this.aborts.delete(feed.name);
        this.arm(feed);
      }
    })();
    this.running.set(feed.name, attempt);
    return attempt;
  }
}
