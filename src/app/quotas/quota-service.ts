/**
 * Tiers and quotas: admits a request against the user's (and their group's) minute, hour, day and
 * month counters, caps a user's requests in flight, records usage per endpoint group, and reports
 * both in VirusTotal's overall_quotas and api_usage shapes.
 */
import type { TierConfig } from '../../config/config.js';
import { AppError, isAppError } from '../../core/errors.js';
import type { QuotaOverrides } from '../../core/model/account.js';
import type { QuotaCheck, QuotaCounters } from '../../store/ports/quota-counters.js';
import type { Principal } from '../principal.js';
import { DeferredCounts } from './deferred-counts.js';
import { InFlightLimiter } from './in-flight.js';
import { usageDays } from './usage-range.js';
import { utcDay, windowAt, type QuotaWindow } from './windows.js';

export type { QuotaOverrides };

/**
 * Endpoint groups that are neither counted, capped nor recorded: quota and user look-ups are free
 * on VirusTotal. Routes of these groups still authenticate.
 */
export const FREE_ENDPOINT_GROUPS: ReadonlySet<string> = new Set(['users', 'groups']);

/**
 * Per-user and per-group limits replacing the tier's (accounts store them: quotaOverridesOf).
 * `group.limits` apply to the group's shared counters; a group member without group limits still
 * counts into them.
 */
export type FoundOverrides = { user?: QuotaOverrides; group?: { id: string; limits: QuotaOverrides } };

/** May answer synchronously (from a cache): report look-ups then admit without a single await. */
export type QuotaOverridesLookup = (principal: Principal) => FoundOverrides | Promise<FoundOverrides>;

const NO_OVERRIDES: FoundOverrides = Object.freeze({});

/** One quota in overall_quotas; `allowed` is null when unlimited. */
export interface QuotaUse {
  allowed: number | null;
  used: number;
}

export interface OverallQuota {
  user: QuotaUse;
  /** Present for group members: the group's shared counter. */
  group?: QuotaUse & { inherited_from: string };
}

/** GET /users/{id}/overall_quotas's data. */
export interface OverallQuotas {
  api_requests_hourly: OverallQuota;
  api_requests_daily: OverallQuota;
  api_requests_monthly: OverallQuota;
}

/** GET /users/{id}/api_usage's data: requests per UTC day and endpoint group, and their totals. */
export interface ApiUsage {
  daily: Record<string, Record<string, number>>;
  total: Record<string, number>;
}

export interface QuotaService {
  /**
   * Counts one request of `endpointGroup` and takes an in-flight slot; the returned function frees
   * the slot when the request ends (calling it again does nothing). Throws AppError
   * QuotaExceededError (with Retry-After) or TooManyRequestsError when refused.
   */
  admit(principal: Principal, endpointGroup: string): (() => void) | Promise<() => void>;
  /** The user's hourly, daily and monthly quotas and use; NotFoundError for an unknown user id. */
  overall(user: string | Principal): Promise<OverallQuotas>;
  /** Usage over start_date..end_date (YYYYMMDD, default the last 30 days); InvalidArgumentError for a bad range. */
  apiUsage(userId: string, startDate?: string, endDate?: string): Promise<ApiUsage>;
  /** Requests of the user in flight in this process. */
  inFlight(userId: string): number;
  /** Writes the counts kept in memory (DeferredCounts) and stops the timer that writes them. */
  close(): Promise<void>;
}

export interface QuotaServiceDeps {
  counters: QuotaCounters;
  tiers: Readonly<Record<string, TierConfig>>;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Overrides for a subject; none when absent. */
  overrides?: QuotaOverridesLookup;
  /** Resolves a user id for overall(); undefined when unknown. */
  subjectOf?: (userId: string) => Promise<Principal | undefined>;
  /** How often uncapped counters and usage kept in memory are written (default 1 s). */
  flushIntervalMs?: number;
  /** A failed background write of those counts (logged by the caller; the counts are retried). */
  onFlushError?: (error: unknown) => void;
}

type Limits = Record<QuotaWindow, number | null>;

/** Longest first: when several counters are exhausted, the one reported is the one that resets last. */
const WINDOWS: readonly QuotaWindow[] = ['month', 'day', 'hour', 'minute'];

/** overall_quotas names per window (VT has no minute entry there). */
const REPORTED: ReadonlyArray<[keyof OverallQuotas, QuotaWindow]> = [
  ['api_requests_hourly', 'hour'],
  ['api_requests_daily', 'day'],
  ['api_requests_monthly', 'month'],
];

const NO_LIMITS = { requestsPerMinute: null, requestsPerDay: null, requestsPerMonth: null };

/** An override replaces the base value for its window; the hourly limit is 60 minutes' worth. */
function limitsOf(
  base: { requestsPerMinute: number | null; requestsPerDay: number | null; requestsPerMonth: number | null },
  override: QuotaOverrides = {},
): Limits {
  const pick = <K extends keyof QuotaOverrides>(key: K): number | null => (override[key] !== undefined ? (override[key] ?? null) : base[key]);
  const minute = pick('requestsPerMinute');
  return { minute, hour: minute === null ? null : minute * 60, day: pick('requestsPerDay'), month: pick('requestsPerMonth') };
}

interface Scope {
  kind: 'user' | 'group';
  id: string;
  limits: Limits;
}

const counterKey = (scope: Pick<Scope, 'kind' | 'id'>, window: QuotaWindow, now: number): string =>
  `${scope.kind}:${encodeURIComponent(scope.id)}:${window}:${windowAt(window, now).id}`;

export function createQuotaService(deps: QuotaServiceDeps): QuotaService {
  const { counters, now } = deps;
  const inFlight = new InFlightLimiter();
  const deferred = new DeferredCounts(counters, now, deps.flushIntervalMs ?? 1_000, deps.onFlushError ?? (() => {}));

  function tierOf(name: string): TierConfig {
    const tier = deps.tiers[name] ?? deps.tiers.public;
    if (!tier) throw new Error(`no tier "${name}" and no public tier to fall back to`);
    return tier;
  }

  async function scopesOf(subject: Principal): Promise<{ user: Scope; group?: Scope }> {
    return scopesFrom(subject, deps.overrides ? await deps.overrides(subject) : NO_OVERRIDES);
  }

  function scopesFrom(subject: Principal, found: FoundOverrides): { user: Scope; group?: Scope } {
    // Admins run the service: counted, but their own windows are unlimited unless overridden.
    const base = subject.isAdmin ? NO_LIMITS : tierOf(subject.tier);
    const user: Scope = { kind: 'user', id: subject.userId, limits: limitsOf(base, found.user) };
    const groupId = found.group?.id ?? subject.groupId;
    if (groupId === null) return { user };
    return { user, group: { kind: 'group', id: groupId, limits: limitsOf(NO_LIMITS, found.group?.limits) } };
  }

  /** Counter or override look-up failures (Redis or the database unreachable) refuse the request as retryable. */
  async function guarded<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new AppError('TransientError', 'Quota counters are unavailable; try again later', { cause: error });
    }
  }

  function quotaExceeded(scope: Scope, window: QuotaWindow, limit: number, nowMs: number): AppError {
    const resetsAt = windowAt(window, nowMs / 1000).end;
    const retryAfter = Math.max(1, Math.ceil((resetsAt * 1000 - nowMs) / 1000));
    const whose = scope.kind === 'user' ? 'User' : `Group "${scope.id}"`;
    const when = new Date(resetsAt * 1000).toISOString().replace('.000Z', 'Z');
    return new AppError(
      'QuotaExceededError',
      `${whose} quota of ${limit} requests per ${window} exceeded; it resets at ${when} (in ${retryAfter} s)`,
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }

  type Plan = { planned: Array<{ scope: Scope; window: QuotaWindow; check: QuotaCheck }>; checks: QuotaCheck[] };
  /**
   * The counters a user's request bumps change only with the second, the user's tier and their
   * overrides (the lookup hands out the same object while they are unchanged); a user's plan is
   * reused while all three are, since building it was a fifth of a report look-up's own work.
   */
  const plans = new Map<string, { second: number; found: object; tier: string; isAdmin: boolean; plan: Plan }>();

  function planOf(subject: Principal, nowS: number): Plan | Promise<Plan> {
    let found: FoundOverrides | Promise<FoundOverrides>;
    try {
      found = deps.overrides ? deps.overrides(subject) : NO_OVERRIDES;
    } catch (error) {
      return guarded(() => Promise.reject(error));
    }
    return found instanceof Promise ? guarded(() => found).then((f) => planFrom(subject, nowS, f)) : planFrom(subject, nowS, found);
  }

  function planFrom(subject: Principal, nowS: number, found: FoundOverrides): Plan {
    const memo = plans.get(subject.userId);
    if (memo && memo.second === nowS && memo.found === found && memo.tier === subject.tier && memo.isAdmin === subject.isAdmin) return memo.plan;
    const scopes = scopesFrom(subject, found);
    const planned: Plan['planned'] = [];
    for (const window of WINDOWS) {
      for (const scope of [scopes.user, scopes.group]) {
        if (!scope) continue;
        const limit = scope.limits[window];
        // Nothing reports a minute count, so an unlimited minute is not counted at all.
        if (window === 'minute' && limit === null) continue;
        planned.push({ scope, window, check: { key: counterKey(scope, window, nowS), limit, expiresAt: windowAt(window, nowS).end } });
      }
    }
    const plan = { planned, checks: planned.map((p) => p.check) };
    if (plans.size >= 10_000) plans.clear();
    plans.set(subject.userId, { second: nowS, found, tier: subject.tier, isAdmin: subject.isAdmin, plan });
    return plan;
  }

  function admitNow(subject: Principal, endpointGroup: string): (() => void) | Promise<() => void> {
    if (FREE_ENDPOINT_GROUPS.has(endpointGroup)) return () => {};
    const maxInFlight = subject.isAdmin ? Number.POSITIVE_INFINITY : tierOf(subject.tier).maxConcurrentRequests;
    // 1. A user already at the cap is refused before anything is counted.
    if (inFlight.count(subject.userId) >= maxInFlight) throw tooManyRequests(maxInFlight);

    // 2. Every window of the user and of the group, all or nothing. Only a capped counter can
    //    refuse, so only then does the request wait for the store; otherwise nothing here awaits.
    const nowMs = now();
    const nowS = Math.floor(nowMs / 1000);
    const counted = (plan: Plan): (() => void) | Promise<() => void> => {
      if (!plan.checks.some((c) => c.limit !== null)) {
        deferred.count(plan.checks);
        return takeSlot();
      }
      return guarded(() => counters.admit(plan.checks, nowS)).then((outcome) => {
        if (!outcome.admitted) {
          const { scope, window, check } = plan.planned[outcome.exhausted]!;
          throw quotaExceeded(scope, window, check.limit!, nowMs);
        }
        return takeSlot();
      });
    };
    // 3. The slot. Requests admitted together may find it taken since step 1; those were
    //    counted already (they reached the server), as docs/auth.md says.
    const takeSlot = (): (() => void) => {
      const release = inFlight.tryAcquire(subject.userId, maxInFlight);
      if (!release) throw tooManyRequests(maxInFlight);
      deferred.recordUsage(subject.userId, utcDay(nowS), endpointGroup);
      return release;
    };
    const plan = planOf(subject, nowS);
    return plan instanceof Promise ? plan.then(counted) : counted(plan);
  }

  return {
    admit(subject, endpointGroup) {
      // A refusal is always a rejected promise, never a throw: callers handle one kind of failure.
      try {
        return admitNow(subject, endpointGroup);
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async overall(user) {
      const subject = typeof user === 'string' ? await deps.subjectOf?.(user) : user;
      if (!subject) throw new AppError('NotFoundError', `User "${String(user)}" not found`);
      await guarded(() => deferred.flush());
      const nowS = Math.floor(now() / 1000);
      const scopes = await guarded(() => scopesOf(subject));
      const keysOf = (scope: Scope) => REPORTED.map(([, window]) => counterKey(scope, window, nowS));
      const [userUsed, groupUsed] = await guarded(() =>
        Promise.all([counters.read(keysOf(scopes.user), nowS), scopes.group ? counters.read(keysOf(scopes.group), nowS) : undefined]),
      );
      const overall = {} as OverallQuotas;
      REPORTED.forEach(([name, window], i) => {
        const entry: OverallQuota = { user: { allowed: scopes.user.limits[window], used: userUsed[i]! } };
        if (scopes.group && groupUsed) {
          entry.group = { allowed: scopes.group.limits[window], used: groupUsed[i]!, inherited_from: scopes.group.id };
        }
        overall[name] = entry;
      });
      return overall;
    },

    async apiUsage(userId, startDate, endDate) {
      const days = usageDays(utcDay(now() / 1000), startDate, endDate);
      await guarded(() => deferred.flush());
      const recorded = await guarded(() => counters.usage(userId, days[0]!, days.at(-1)!));
      const daily: ApiUsage['daily'] = {};
      const total: ApiUsage['total'] = {};
      for (const day of days) {
        daily[day] = recorded[day] ?? {};
        for (const [group, n] of Object.entries(daily[day])) total[group] = (total[group] ?? 0) + n;
      }
      return { daily, total };
    },

    inFlight: (userId) => inFlight.count(userId),
    close: () => deferred.close(),
  };
}

function tooManyRequests(max: number): AppError {
  return new AppError('TooManyRequestsError', `Too many requests in flight: at most ${max} at once for this user`, {
    headers: { 'Retry-After': '1' },
  });
}
