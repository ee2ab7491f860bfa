/**
 * The quota service over real counters (SQLite and Redis) with a controllable clock: each window,
 * group quotas, overrides, the concurrency cap, usage, and counters that outlive a restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { testRedisPrefix, testRedisUrl } from '../../../test/support/redis.js';
import { defaultTiers, type TierConfig } from '../../config/config.js';
import { AppError, isAppError, type ErrorCode } from '../../core/errors.js';
import type { QuotaCounters } from '../../store/ports/quota-counters.js';
import { openRedisQuotaCounters } from '../../store/redis/redis-quota-counters.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import type { Principal } from '../principal.js';
import { createQuotaService, FREE_ENDPOINT_GROUPS, type QuotaOverridesLookup, type QuotaService } from './quota-service.js';

const dir = await mkdtemp(path.join(tmpdir(), 'assay-quota-service-'));
after(() => rm(dir, { recursive: true, force: true }));
let seq = 0;

const user = (userId: string, tier = 'public', groupId: string | null = null): Principal => ({
  userId,
  name: userId,
  isAdmin: false,
  tier,
  privileges: [],
  groupId,
});

const tier = (limits: Partial<TierConfig>): TierConfig => ({
  requestsPerMinute: null,
  requestsPerDay: null,
  requestsPerMonth: null,
  maxConcurrentRequests: 100,
  privileges: [],
  ...limits,
});

const tiers: Record<string, TierConfig> = {
  ...defaultTiers,
  monthly: tier({ requestsPerMonth: 3 }),
  narrow: tier({ requestsPerMinute: 1_000, maxConcurrentRequests: 2 }),
};

/** A clock the test moves by hand. */
class Clock {
  constructor(public ms: number) {}
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
  now = (): number => this.ms;
}

async function refusal(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

type OpenCounters = () => Promise<{ counters: QuotaCounters; close(): Promise<void> }>;

function runQuotaServiceTests(name: string, openCounters: OpenCounters): void {
  async function withService(
    options: { at: string; overrides?: QuotaOverridesLookup; subjectOf?: (id: string) => Promise<Principal | undefined> },
    use: (service: QuotaService, clock: Clock) => Promise<void>,
  ): Promise<void> {
    const { counters, close } = await openCounters();
    const clock = new Clock(Date.parse(options.at));
    try {
      await use(createQuotaService({ counters, tiers, now: clock.now, overrides: options.overrides, subjectOf: options.subjectOf }), clock);
    } finally {
      await close();
    }
  }

  describe(`quota service: ${name}`, () => {
    test('public key: the 5th request in a UTC minute is QuotaExceededError with Retry-After; the next minute admits', () =>
      withService({ at: '2025-03-10T12:00:15Z' }, async (service, clock) => {
        const alice = user('alice');
        for (let i = 0; i < 4; i++) await call(service, alice);
        clock.set('2025-03-10T12:00:59.200Z');
        const error = await refusal(call(service, alice), 'QuotaExceededError');
        assert.equal(error.status, 429);
        assert.deepEqual(error.headers, { 'Retry-After': '1' });
        assert.equal(error.message, 'User quota of 4 requests per minute exceeded; it resets at 2025-03-10T12:01:00Z (in 1 s)');
        clock.set('2025-03-10T12:01:00Z');
        await call(service, alice);
        // Another user's counters are their own.
        await call(service, user('bob'));
      }));

    test('Retry-After counts the seconds left in the window', () =>
      withService({ at: '2025-03-10T12:00:15Z' }, async (service) => {
        for (let i = 0; i < 4; i++) await call(service, user('carol'));
        const error = await refusal(call(service, user('carol')), 'QuotaExceededError');
        assert.equal(error.headers['Retry-After'], '45');
      }));

    test('public key: 500 a day, reset at 00:00 UTC', () =>
      withService({ at: '2025-03-10T20:00:00Z' }, async (service, clock) => {
        const alice = user('alice');
        for (let i = 0; i < 500; i++) {
          if (i > 0 && i % 4 === 0) clock.ms += 60_000; // stay within 4 a minute
          await call(service, alice);
        }
        clock.ms += 60_000;
        assert.equal(new Date(clock.ms).toISOString(), '2025-03-10T22:05:00.000Z');
        const error = await refusal(call(service, alice), 'QuotaExceededError');
        assert.match(error.message, /^User quota of 500 requests per day exceeded; it resets at 2025-03-11T00:00:00Z/);
        assert.equal(error.headers['Retry-After'], String(115 * 60));
        clock.set('2025-03-10T23:59:59Z');
        await refusal(call(service, alice), 'QuotaExceededError');
        clock.set('2025-03-11T00:00:00Z');
        await call(service, alice);
        const overall = await service.overall(alice);
        assert.deepEqual(overall.api_requests_daily, { user: { allowed: 500, used: 1 } });
        assert.deepEqual(overall.api_requests_monthly, { user: { allowed: 15_500, used: 501 } });
      }));

    test('the monthly quota resets on the 1st at 00:00 UTC', () =>
      withService({ at: '2024-02-27T10:00:00Z' }, async (service, clock) => {
        const dave = user('dave', 'monthly');
        await call(service, dave);
        clock.set('2024-02-28T10:00:00Z');
        await call(service, dave);
        clock.set('2024-02-29T10:00:00Z');
        await call(service, dave);
        clock.set('2024-02-29T23:59:30Z');
        const error = await refusal(call(service, dave), 'QuotaExceededError');
        assert.equal(error.message, 'User quota of 3 requests per month exceeded; it resets at 2024-03-01T00:00:00Z (in 30 s)');
        assert.equal(error.headers['Retry-After'], '30');
        clock.set('2024-03-01T00:00:00Z');
        await call(service, dave);
      }));

    test('overall_quotas: hourly allows 60 minutes of the minute quota; unlimited windows allow null', () =>
      withService({ at: '2025-03-10T12:30:00Z' }, async (service) => {
        for (let i = 0; i < 3; i++) await call(service, user('erin'));
        assert.deepEqual(await service.overall(user('erin')), {
          api_requests_hourly: { user: { allowed: 240, used: 3 } },
          api_requests_daily: { user: { allowed: 500, used: 3 } },
          api_requests_monthly: { user: { allowed: 15_500, used: 3 } },
        });
        assert.deepEqual(await service.overall(user('frank', 'monthly')), {
          api_requests_hourly: { user: { allowed: null, used: 0 } },
          api_requests_daily: { user: { allowed: null, used: 0 } },
          api_requests_monthly: { user: { allowed: 3, used: 0 } },
        });
      }));

    test('admins are counted but not limited by their tier, nor capped in flight', () =>
      withService({ at: '2025-03-10T12:00:00Z' }, async (service) => {
        const root = { ...user('root'), isAdmin: true };
        const held = await Promise.all(Array.from({ length: 10 }, () => service.admit(root, 'files')));
        assert.equal(service.inFlight('root'), 10);
        held.forEach((release) => release());
        assert.deepEqual((await service.overall(root)).api_requests_daily, { user: { allowed: null, used: 10 } });
        assert.deepEqual((await service.apiUsage('root')).total, { files: 10 });
      }));

    test('an unknown tier gets the public quotas', () =>
      withService({ at: '2025-03-10T12:00:00Z' }, async (service) => {
        const gina = user('gina', 'no-such-tier');
        for (let i = 0; i < 4; i++) await call(service, gina);
        await refusal(call(service, gina), 'QuotaExceededError');
      }));

    test('per-user overrides replace the tier\'s limits', () =>
      withService(
        { at: '2025-03-10T12:00:00Z', overrides: async (p) => (p.userId === 'hank' ? { user: { requestsPerMinute: 2 } } : {}) },
        async (service) => {
          await call(service, user('hank'));
          await call(service, user('hank'));
          const error = await refusal(call(service, user('hank')), 'QuotaExceededError');
          assert.match(error.message, /^User quota of 2 requests per minute/);
          assert.deepEqual((await service.overall(user('hank'))).api_requests_hourly.user, { allowed: 120, used: 2 });
        },
      ));

    test('a group quota is shared by its members', () =>
      withService(
        { at: '2025-03-10T12:00:00Z', overrides: async (p) => (p.groupId === 'acme' ? { group: { id: 'acme', limits: { requestsPerDay: 3 } } } : {}) },
        async (service) => {
          const [ivy, jack] = [user('ivy', 'premium', 'acme'), user('jack', 'premium', 'acme')];
          await call(service, ivy);
          await call(service, ivy);
          await call(service, jack);
          const error = await refusal(call(service, jack), 'QuotaExceededError');
          assert.match(error.message, /^Group "acme" quota of 3 requests per day exceeded; it resets at 2025-03-11T00:00:00Z/);
          assert.equal(error.headers['Retry-After'], String(12 * 3600));
          await refusal(call(service, ivy), 'QuotaExceededError');
          assert.deepEqual(await service.overall(ivy), {
            api_requests_hourly: { user: { allowed: 60_000, used: 2 }, group: { allowed: null, used: 3, inherited_from: 'acme' } },
            api_requests_daily: { user: { allowed: 1_000_000, used: 2 }, group: { allowed: 3, used: 3, inherited_from: 'acme' } },
            api_requests_monthly: { user: { allowed: null, used: 2 }, group: { allowed: null, used: 3, inherited_from: 'acme' } },
          });
          // A refused request counted nowhere: not for the user, not for the group.
          assert.equal((await service.overall(jack)).api_requests_daily.user.used, 1);
        },
      ));

    test('a group without limits of its own still counts its members\' requests', () =>
      withService({ at: '2025-03-10T12:00:00Z' }, async (service) => {
        await call(service, user('kim', 'public', 'free-group'));
        await call(service, user('lee', 'public', 'free-group'));
        const overall = await service.overall(user('kim', 'public', 'free-group'));
        assert.deepEqual(overall.api_requests_monthly, {
          user: { allowed: 15_500, used: 1 },
          group: { allowed: null, used: 2, inherited_from: 'free-group' },
        });
      }));

    test('concurrency cap: TooManyRequestsError past maxConcurrentRequests; release frees the slot, once', () =>
      withService({ at: '2025-03-10T12:00:00Z' }, async (service) => {
        const mia = user('mia', 'narrow');
        const first = await service.admit(mia, 'files');
        const second = await service.admit(mia, 'files');
        const error = await refusal(Promise.resolve(service.admit(mia, 'files')), 'TooManyRequestsError');
        assert.equal(error.status, 429);
        assert.equal(service.inFlight('mia'), 2);
        // Another user is not held up.
        (await service.admit(user('ned', 'narrow'), 'files'))();
        first();
        first();
        assert.equal(service.inFlight('mia'), 1, 'a second release of the same request frees nothing more');
        const third = await service.admit(mia, 'files');
        second();
        third();
        assert.equal(service.inFlight('mia'), 0);
        // Three admitted; the refused one was not counted.
        assert.equal((await service.overall(mia)).api_requests_daily.user.used, 3);
      }));

    test('a request refused by quota takes no in-flight slot', () =>
      withService({ at: '2025-03-10T12:00:00Z' }, async (service) => {
        const olga = user('olga');
        for (let i = 0; i < 4; i++) await call(service, olga);
        for (let i = 0; i < 10; i++) await refusal(Promise.resolve(service.admit(olga, 'files')), 'QuotaExceededError');
        assert.equal(service.inFlight('olga'), 0);
      }));

    test('free endpoint groups (user and quota look-ups) are neither counted nor capped', () =>
      withService({ at: '2025-03-10T12:00:00Z' }, async (service) => {
        assert.ok(FREE_ENDPOINT_GROUPS.has('users'));
        const pat = user('pat');
        const held = await Promise.all(Array.from({ length: 20 }, () => service.admit(pat, 'users')));
        assert.equal(service.inFlight('pat'), 0);
        held.forEach((release) => release());
        assert.equal((await service.overall(pat)).api_requests_daily.user.used, 0);
        assert.deepEqual((await service.apiUsage('pat')).total, {});
        for (let i = 0; i < 4; i++) await call(service, pat);
      }));

    test('api_usage matches what was called, per UTC day and endpoint group', () =>
      withService({ at: '2025-03-08T23:59:00Z' }, async (service, clock) => {
        const quinn = user('quinn', 'premium');
        await call(service, quinn, 'files');
        await call(service, quinn, 'analyses');
        clock.set('2025-03-09T00:00:00Z');
        await call(service, quinn, 'files');
        await call(service, quinn, 'files');
        await call(service, quinn, 'file_download');
        clock.set('2025-03-10T08:00:00Z');
        const usage = await service.apiUsage('quinn', '20250308', '20250310');
        assert.deepEqual(usage, {
          daily: {
            '2025-03-08': { analyses: 1, files: 1 },
            '2025-03-09': { file_download: 1, files: 2 },
            '2025-03-10': {},
          },
          total: { analyses: 1, files: 3, file_download: 1 },
        });
        // Default: the 30 days up to today, every day listed.
        const recent = await service.apiUsage('quinn');
        assert.equal(Object.keys(recent.daily).length, 30);
        assert.equal(Object.keys(recent.daily)[0], '2025-02-09');
        assert.equal(Object.keys(recent.daily).at(-1), '2025-03-10');
        assert.deepEqual(recent.total, usage.total);
        // Refused requests are not usage.
        const rose = user('rose');
        for (let i = 0; i < 6; i++) await Promise.resolve(service.admit(rose, 'files')).then((release) => release(), () => {});
        assert.deepEqual((await service.apiUsage('rose')).total, { files: 4 });
      }));

    test('api_usage ranges: at most 30 days, within the last 60, dates as YYYYMMDD', () =>
      withService({ at: '2025-03-10T08:00:00Z' }, async (service) => {
        const bad = async (start: string | undefined, end: string | undefined, message: RegExp) =>
          assert.match((await refusal(service.apiUsage('x', start, end), 'InvalidArgumentError')).message, message);
        await bad('20250201', '20250305', /at most 30 days/);
        await bad('20250109', '20250115', /within the last 60 days/);
        await bad('2025-03-01', undefined, /start_date must be a date as YYYYMMDD/);
        await bad(undefined, '20250230', /end_date must be a date/);
        await bad('20250305', '20250301', /not be after/);
        await bad('20250305', '20250311', /future/);
        assert.equal(Object.keys((await service.apiUsage('x', '20250110', '20250110')).daily)[0], '2025-01-10');
        assert.deepEqual(Object.keys((await service.apiUsage('x', '20250308')).daily), ['2025-03-08', '2025-03-09', '2025-03-10']);
        assert.equal(Object.keys((await service.apiUsage('x', undefined, '20250301')).daily).length, 30);
      }));

    test('overall_quotas by user id resolves the user; an unknown id is NotFoundError', () =>
      withService({ at: '2025-03-10T12:00:00Z', subjectOf: async (id) => (id === 'sam' ? user('sam') : undefined) }, async (service) => {
        await call(service, user('sam'));
        assert.equal((await service.overall('sam')).api_requests_hourly.user.used, 1);
        await refusal(service.overall('nobody'), 'NotFoundError');
      }));
  });
}

runQuotaServiceTests('sqlite', async () => {
  const { store } = await openSqlite(path.join(dir, `counters-${++seq}`, 'assay.db'));
  await store.migrate();
  return { counters: store.quotaCounters, close: () => store.close() };
});

runQuotaServiceTests('redis', async () => openRedisQuotaCounters(await testRedisUrl(), { prefix: testRedisPrefix() }));

describe('quota service: failures and restarts', () => {
  test('uncapped counts kept in memory reach the store within the flush interval, and a failed write is retried', async () => {
    const { store } = await openSqlite(path.join(dir, 'deferred', 'assay.db'));
    await store.migrate();
    const clock = new Clock(Date.parse('2025-03-10T12:00:00Z'));
    let failNext = true;
    const flaky: typeof store.quotaCounters = Object.create(store.quotaCounters, {
      recordUsage: {
        value: (...args: Parameters<typeof store.quotaCounters.recordUsage>) => {
          if (failNext) {
            failNext = false;
            return Promise.reject(new Error('store briefly unavailable'));
          }
          return store.quotaCounters.recordUsage(...args);
        },
      },
    });
    const errors: unknown[] = [];
    const service = createQuotaService({ counters: flaky, tiers, now: clock.now, flushIntervalMs: 20, onFlushError: (e) => errors.push(e) });
    try {
      const root = { ...user('root'), isAdmin: true };
      for (let i = 0; i < 10; i++) await call(service, root);
      // Another process sees the store only: poll it, as it would.
      const deadline = Date.now() + 5_000;
      let usage: Record<string, Record<string, number>> = {};
      while (Date.now() < deadline) {
        usage = await store.quotaCounters.usage('root', '2025-03-10', '2025-03-10');
        if (usage['2025-03-10']?.files === 10) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.deepEqual(usage, { '2025-03-10': { files: 10 } });
      assert.equal(errors.length, 1, 'the failed write was reported');
      const [daily] = await store.quotaCounters.read([`user:root:day:20250310`], Math.floor(clock.now() / 1000));
      assert.equal(daily, 10);
    } finally {
      await service.close();
      await store.close();
    }
  });

  test('counters survive closing and reopening the SQLite store', async () => {
    const file = path.join(dir, 'restart', 'assay.db');
    const clock = new Clock(Date.parse('2025-03-10T12:00:00Z'));
    const open = async () => {
      const { store } = await openSqlite(file);
      await store.migrate();
      return { store, service: createQuotaService({ counters: store.quotaCounters, tiers, now: clock.now }) };
    };
    const before = await open();
    for (let i = 0; i < 3; i++) await call(before.service, user('tess'));
    // A shutdown closes the service first: usage kept in memory is written before the store closes.
    await before.service.close();
    await before.store.close();
    const reopened = await open();
    try {
      await call(reopened.service, user('tess'));
      await refusal(call(reopened.service, user('tess')), 'QuotaExceededError');
      assert.deepEqual((await reopened.service.apiUsage('tess')).total, { files: 4 });
    } finally {
      await reopened.store.close();
    }
  });

  test('unreachable counters refuse with TransientError (503), taking no slot', async () => {
    const broken: QuotaCounters = {
      admit: async () => {
        throw new Error('connection refused');
      },
      read: async () => {
        throw new Error('connection refused');
      },
      recordUsage: async () => {},
      usage: async () => ({}),
    };
    const service = createQuotaService({ counters: broken, tiers, now: () => Date.parse('2025-03-10T12:00:00Z') });
    const error = await refusal(Promise.resolve(service.admit(user('uma'), 'files')), 'TransientError');
    assert.equal(error.status, 503);
    assert.equal(service.inFlight('uma'), 0);
    await refusal(service.overall(user('uma')), 'TransientError');
  });
});

/** Admits and ends the request at once, as a quick request would. */
async function call(service: QuotaService, principal: Principal, group = 'files'): Promise<void> {
  (await service.admit(principal, group))();
}
