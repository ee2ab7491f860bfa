/**
 * Quota counters and API usage in Redis, shared by every server pointed at it. An admit is one Lua
 * script, so checking all counters and bumping them all is atomic without locks.
 *
 * Layout under the prefix: `q:<key>` is a hash {n: count, x: expiresAt}; `u:<user>:<day>` is a
 * hash of endpoint group -> requests. One script touches keys in several hash slots, so this
 * needs a single Redis (or a primary with replicas), not Redis Cluster.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { QuotaAdmission, QuotaCheck, QuotaCounters } from '../ports/quota-counters.js';

/** Usage is kept this many days after its last write (api_usage looks back 60). */
const USAGE_TTL_S = 70 * 86_400;

/**
 * KEYS: the counters. ARGV[1]: now; then per key i, ARGV[3i-1] the limit (-1: none),
 * ARGV[3i] the expiry and ARGV[3i+1] the amount to add. The expiry is stored beside the count and compared with the caller's
 * `now`, as the SQL adapter does, so a counter expires by the callers' clock (which also names
 * the windows), not by Redis's; the key's TTL is set relative to `now` (EXPIRE rather than
 * EXPIREAT) only to reclaim memory, so a skewed Redis clock cannot drop a live counter early.
 * Returns {1, count1, count2, ...} when admitted, {0, i, count} when counter i was at its limit.
 */
const ADMIT_SCRIPT = `
local now = tonumber(ARGV[1])
local counts = {}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 1])
  local state = redis.call('HMGET', KEYS[i], 'n', 'x')
  local n = tonumber(state[1]) or 0
  local x = tonumber(state[2])
  if x == nil or x <= now then n = 0 end
  if limit >= 0 and n >= limit then return {0, i, n} end
  counts[i] = n
end
local reply = {1}
for i = 1, #KEYS do
  local expiresAt = tonumber(ARGV[3 * i])
  local n = counts[i] + tonumber(ARGV[3 * i + 1])
  redis.call('HSET', KEYS[i], 'n', n, 'x', expiresAt)
  redis.call('EXPIRE', KEYS[i], math.max(1, math.ceil(expiresAt - now)))
  reply[i + 1] = n
end
return reply
`;
const ADMIT_SHA = createHash('sha1').update(ADMIT_SCRIPT).digest('hex');

export interface RedisQuotaCountersOptions {
  /** Prepended to every key: several deployments (or tests) can share one Redis. */
  prefix?: string;
}

export class RedisQuotaCounters implements QuotaCounters {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisQuotaCountersOptions = {},
  ) {
    this.prefix = options.prefix ?? 'assay:';
  }

  async admit(checks: readonly QuotaCheck[], now: number): Promise<QuotaAdmission> {
    if (checks.length === 0) return { admitted: true, counts: [] };
    if (new Set(checks.map((c) => c.key)).size !== checks.length) {
      throw new Error(`duplicate quota counter keys: ${checks.map((c) => c.key).join(', ')}`);
    }
    const keys = checks.map((c) => this.counterKey(c.key));
    const args = [String(now), ...checks.flatMap((c) => [String(c.limit ?? -1), String(c.expiresAt), String(c.by ?? 1)])];
    const reply = (await this.runAdmit(keys, args)) as number[];
    if (reply[0] === 1) return { admitted: true, counts: reply.slice(1) };
    return { admitted: false, exhausted: reply[1]! - 1, count: reply[2]! };
  }

  async read(keys: readonly string[], now: number): Promise<number[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmget(this.counterKey(key), 'n', 'x');
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, value]) => {
      if (error) throw error;
      const [n, x] = value as Array<string | null>;
      return n === null || x === null || Number(x) <= now ? 0 : Number(n);
    });
  }

  async recordUsage(userId: string, day: string, group: string, count = 1): Promise<void> {
    const key = this.usageKey(userId, day);
    await this.redis.multi().hincrby(key, group, count).expire(key, USAGE_TTL_S).exec();
  }

  async usage(userId: string, fromDay: string, toDay: string): Promise<Record<string, Record<string, number>>> {
    const days = daysBetween(fromDay, toDay);
    if (days.length === 0) return {};
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(this.usageKey(userId, day));
    const replies = (await pipeline.exec()) ?? [];
    const usage: Record<string, Record<string, number>> = {};
    replies.forEach(([error, value], i) => {
      if (error) throw error;
      const groups = Object.entries(value as Record<string, string>);
      if (groups.length > 0) usage[days[i]!] = Object.fromEntries(groups.sort(([a], [b]) => (a < b ? -1 : 1)).map(([g, n]) => [g, Number(n)]));
    });
    return usage;
  }

  /** EVALSHA, loading the script on NOSCRIPT (a fresh or flushed Redis). */
  private async runAdmit(keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(ADMIT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(ADMIT_SCRIPT, keys.length, ...keys, ...args);
    }
  }

  private counterKey(key: string): string {
    return `${this.prefix}q:${key}`;
  }

  private usageKey(userId: string, day: string): string {
    return `${this.prefix}u:${encodeURIComponent(userId)}:${day}`;
  }
}

/** Every YYYY-MM-DD from `from` to `to` inclusive (none when from > to). */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * Connects to `url` (redis://...) and checks it answers, so a bad URL fails at start-up. Commands
 * fail fast while Redis is unreachable (no offline queue, one retry) instead of holding requests.
 */
export async function openRedisQuotaCounters(
  url: string,
  options: RedisQuotaCountersOptions = {},
): Promise<{ counters: RedisQuotaCounters; close(): Promise<void> }> {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Without a listener, a lost connection's 'error' event would crash the process; ioredis reconnects.
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis at ${redactUrl(url)} did not answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    counters: new RedisQuotaCounters(redis, options),
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
