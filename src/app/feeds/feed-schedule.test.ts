/** ASSAY_FEEDS parsing, and the FeedScheduler on a hand-moved clock over a real SQLite store. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { FEED_RETRY_MS, FeedScheduleError, FeedScheduler, parseFeedSchedule, systemClock, type SchedulerClock } from './feed-schedule.js';
import { importFeed } from './import-feed.js';

const HOUR = 3_600_000;

describe('parseFeedSchedule', () => {
  test('reads format, optional name, source and interval; commas inside a URL stay in it', () => {
    assert.deepEqual(
      parseFeedSchedule(
        'urlhaus=https://urlhaus.abuse.ch/downloads/csv_recent/@6h, openphish=https://example.org/feed.txt?a=1,2@1h,plain:My List=/srv/list.txt@12h\nphishtank=https://u:p@data.example/online-valid.json.gz',
      ),
      [
        { format: 'urlhaus', name: 'URLhaus', source: 'https://urlhaus.abuse.ch/downloads/csv_recent/', intervalMs: 6 * HOUR },
        { format: 'openphish', name: 'OpenPhish', source: 'https://example.org/feed.txt?a=1,2', intervalMs: HOUR },
        { format: 'plain', name: 'My List', source: '/srv/list.txt', intervalMs: 12 * HOUR },
        // No @interval: the default; the `@` of the credentials is part of the URL.
        { format: 'phishtank', name: 'PhishTank', source: 'https://u:p@data.example/online-valid.json.gz', intervalMs: 6 * HOUR },
      ],
    );
    assert.deepEqual(parseFeedSchedule(' '), []);
    assert.deepEqual(
      parseFeedSchedule('URLhaus=https://a.example/x@1h,OpenPhish=https://b.example/y').map((f) => f.name),
      ['URLhaus', 'OpenPhish'],
    );
    assert.equal(parseFeedSchedule('openphish=https://x.example/f@90m')[0]?.intervalMs, 90 * 60_000);
    assert.equal(parseFeedSchedule('openphish=https://x.example/f@2d')[0]?.intervalMs, 48 * HOUR);
  });

  test('refuses what it cannot schedule, naming the item', () => {
    const cases: Array<[string, RegExp]> = [
      ['urlhaus', /"urlhaus": expected format\[:name\]=source\[@interval\]/],
      ['spamhaus=https://x.example/', /unknown format "spamhaus"/],
      ['plain=https://x.example/list.txt@1h', /a plain list needs a name/],
      ['openphish=https://x.example/f@30s', /at least 1m/],
      ['openphish=@1h', /no source/],
      ['openphish=ftp://x.example/f', /http\(s\) URL or a file path/],
      ['openphish=https://a.example/,openphish=https://b.example/', /feed "OpenPhish" is listed twice/],
    ];
    for (const [text, pattern] of cases) {
      assert.throws(() => parseFeedSchedule(text), (e: unknown) => e instanceof FeedScheduleError && pattern.test(e.message), text);
    }
  });
});

/** Timers that fire only when the test moves time on. */
class ManualClock implements SchedulerClock {
  private timers: Array<{ at: number; fn: () => void }> = [];
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = target;
  }
}

/** Polls `check` until it holds, failing after a deadline. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('FeedScheduler', () => {
  let dir: string;
  let store: Store;
  const logs: Array<{ level: string; details: Record<string, unknown>; message: string }> = [];
  const logger = {
    info: (details: object, message: string) => logs.push({ level: 'info', details: details as Record<string, unknown>, message }),
    warn: (details: object, message: string) => logs.push({ level: 'warn', details: details as Record<string, unknown>, message }),
  };
  const feedText = (n: number) => Array.from({ length: n }, (_, i) => `https://phish-${i}.example.top/login`).join('\n');
  const entriesOf = async (name: string) => (await store.feeds.list()).find((f) => f.name === name)?.entries;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-feed-schedule-'));
    store = (await openSqlite(path.join(dir, 'assay.db'))).store;
    await store.migrate();
  });
  after(async () => {
    await store?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('imports a new feed at once, then every interval; a failure keeps the entries and retries sooner', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    let size = 3;
    let failNext = false;
    const fetched: string[] = [];
    const fetch = async (url: string) => {
      fetched.push(url);
      if (failNext) throw new Error('mirror down');
      return Readable.from([Buffer.from(feedText(size))]);
    };
    const scheduler = new FeedScheduler({ store, logger, clock, fetch }, parseFeedSchedule('openphish:Sched=https://feeds.example/a.txt@6h'));
    await scheduler.start();
    assert.equal(scheduler.nextRunAt('Sched'), clock.time);

    clock.advance(0);
    await until(async () => (await entriesOf('Sched')) === 3, 'the first import');
    assert.deepEqual(fetched, ['https://feeds.example/a.txt']);
    await until(() => scheduler.nextRunAt('Sched') === clock.time + 6 * HOUR, 'the next run to be set');
    assert.ok(logs.some((l) => l.message === 'feed imported' && l.details.feed === 'Sched' && l.details.entries === 3));

    size = 5;
    clock.advance(6 * HOUR - 1);
    assert.equal(fetched.length, 1, 'not due yet');
    clock.advance(1);
    await until(async () => (await entriesOf('Sched')) === 5, 'the refresh');

    failNext = true;
    await until(() => clock.pending === 1, 'the timer to be re-armed');
    clock.advance(6 * HOUR);
    await until(() => logs.some((l) => l.level === 'warn'), 'the failure to be logged');
    const warning = logs.find((l) => l.level === 'warn')!;
    assert.equal(warning.message, 'feed refresh failed; the previous entries are kept');
    assert.deepEqual([warning.details.feed, warning.details.err], ['Sched', 'mirror down']);
    assert.equal(await entriesOf('Sched'), 5);
    await until(() => scheduler.nextRunAt('Sched') === clock.time + FEED_RETRY_MS, 'the retry to be scheduled');

    failNext = false;
    size = 4;
    clock.advance(FEED_RETRY_MS);
    await until(async () => (await entriesOf('Sched')) === 4, 'the retry');
    assert.equal(fetched.length, 4);
    await scheduler.stop();
    assert.equal(clock.pending, 0, 'stop clears the timers');
  });

  test('never two imports of one feed at once: callers share the one in flight', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 2));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const fetch = async () => {
      calls += 1;
      await gate;
      return Readable.from([Buffer.from(feedText(2))]);
    };
    const scheduler = new FeedScheduler({ store, logger, clock, fetch }, parseFeedSchedule('openphish:Once=https://feeds.example/once.txt@1h'));
    await scheduler.start();
    clock.advance(0);
    const first = scheduler.runNow('Once');
    const second = scheduler.runNow('Once');
    assert.equal(first, second);
    release();
    const result = await first;
    assert.equal(result?.entries, 2);
    assert.equal(calls, 1);
    await assert.rejects(scheduler.runNow('Nope'), /not scheduled/);
    await scheduler.stop();
  });

  test('after a restart, a feed imported from the same source waits for its interval; a changed source is fetched at once', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 3, 12));
    const importedAt = clock.time - HOUR;
    const fetch = async () => Readable.from([Buffer.from(feedText(1))]);
    await importFeed({ store, now: () => importedAt }, { format: 'openphish', name: 'Fresh', source: 'https://feeds.example/fresh.txt', fetch });
    await importFeed({ store, now: () => importedAt }, { format: 'openphish', name: 'Moved', source: 'https://old.example/moved.txt', fetch });
    const scheduler = new FeedScheduler(
      { store, logger, clock, fetch },
      parseFeedSchedule('openphish:Fresh=https://feeds.example/fresh.txt@6h,openphish:Moved=https://new.example/moved.txt@6h'),
    );
    await scheduler.start();
    assert.equal(scheduler.nextRunAt('Fresh'), importedAt + 6 * HOUR);
    assert.equal(scheduler.nextRunAt('Moved'), clock.time);
    await scheduler.stop();
  });

  test('stop aborts an import in flight and waits for it; the feed keeps its entries', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 4));
    const fetch = async () => Readable.from([Buffer.from(feedText(2))]);
    await importFeed({ store, now: () => clock.time }, { format: 'openphish', name: 'Stopped', source: 'https://feeds.example/s.txt', fetch });
    let started = false;
    const endless = async () =>
      Readable.from(
        (async function* () {
          started = true;
          for (;;) {
            yield Buffer.from('https://more.example/x\n');
            await new Promise((resolve) => setImmediate(resolve));
          }
        })(),
      );
    const scheduler = new FeedScheduler({ store, logger, clock, fetch: endless }, parseFeedSchedule('openphish:Stopped=https://feeds.example/other.txt@1h'));
    await scheduler.start();
    clock.advance(0);
    await until(() => started, 'the download to start');
    await scheduler.stop();
    assert.equal(await entriesOf('Stopped'), 2);
    assert.equal(clock.pending, 0);
  });

  test('real timers are unref\'d, so a pending refresh never keeps the process alive', () => {
    const handle = systemClock.setTimeout(() => assert.fail('must not fire'), 60_000) as NodeJS.Timeout;
    assert.equal(handle.hasRef(), false);
    systemClock.clearTimeout(handle);
  });
});
