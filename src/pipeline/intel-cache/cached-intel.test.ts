/** CachedIntel: single flight against real loopback DNS and RDAP servers, TTL expiry with an injected clock, failures and budgets. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDnsServer, type TestDnsServer } from '../../../test/support/dns-server.js';
import { startRdapServer, type TestRdapServer } from '../../../test/support/rdap-server.js';
import { PluginError, type IntelResult, type IntelSource, type IntelTarget, type Readiness } from '../../core/plugin.js';
import { DnsSource } from '../../intel/dns/dns-source.js';
import { CachedIntel, NEGATIVE_CACHE_MS, cacheKey } from './cached-intel.js';
import { MemoryIntelCacheStore } from './memory-intel-cache-store.js';
import { bundledRdapBootstrapDir } from '../../intel/rdap/bundled-bootstrap-dir.js';
import { createFetchJson } from '../../intel/rdap/fetch-json.js';
import { RdapSource } from '../../intel/rdap/rdap-source.js';
import { waitFor } from '../../../test/support/wait-for.js';

const signal = () => AbortSignal.timeout(10_000);
const domain = (name: string): IntelTarget => ({ kind: 'domain', name });

/** Polls `check` until it holds, failing after a deadline; for work that finishes in the background. */
const eventually = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) => waitFor(what, check, timeoutMs);

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** A source whose answers the test scripts; counts its calls. */
class ScriptedSource implements IntelSource {
  readonly manifest = { name: 'scripted', version: '0', description: '', accepts: { kinds: ['domain' as const] }, timeoutMs: 5_000, needsNetwork: false };
  calls = 0;
  constructor(
    readonly cacheTtlMs: number,
    private readonly answer: (call: number) => Promise<IntelResult>,
  ) {}
  async start(): Promise<Readiness> {
    return { ready: true };
  }
  status(): Readiness {
    return { ready: true };
  }
  async close(): Promise<void> {}
  lookup(): Promise<IntelResult> {
    return this.answer(++this.calls);
  }
}

const answer = (n: number): IntelResult => ({ attributes: { answer: n } });

describe('CachedIntel over the DNS and RDAP sources', () => {
  let dns: TestDnsServer;
  let rdap: TestRdapServer;
  before(async () => {
    dns = await startDnsServer({
      'assay-test.com': [
        { type: 'A', value: '192.0.2.10', ttl: 300 },
        { type: 'AAAA', value: '2001:db8::10', ttl: 300 },
        { type: 'MX', value: 'mx.assay-test.com', priority: 10 },
        { type: 'NS', value: 'ns1.assay-test.com' },
        { type: 'SOA', value: 'ns1.assay-test.com', rname: 'hostmaster.assay-test.com', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 },
        { type: 'TXT', value: 'v=spf1 -all' },
        { type: 'CAA', value: 'letsencrypt.org', tag: 'issue' },
      ],
    });
    rdap = await startRdapServer();
  });
  after(async () => {
    await Promise.all([dns?.close(), rdap?.close()]);
  });

  it('50 concurrent lookups of a new domain make one query per record type and one RDAP request', async () => {
    const cache = new CachedIntel(new MemoryIntelCacheStore());
    const dnsSource = new DnsSource({ servers: [dns.server] });
    const rdapSource = new RdapSource({ bootstrapDir: bundledRdapBootstrapDir(), baseUrl: rdap.url, fetchJson: createFetchJson() });
    await Promise.all([dnsSource.start(), rdapSource.start()]);
    const queriesBefore = dns.queries.length;
    const requestsBefore = rdap.requests.length;

    const lookups = await Promise.all(
      Array.from({ length: 50 }, () =>
        Promise.all([cache.lookup(dnsSource, domain('assay-test.com'), signal()), cache.lookup(rdapSource, domain('assay-test.com'), signal())]),
      ),
    );

    const queries = dns.queries.slice(queriesBefore).map((q) => `${q.name} ${q.type}`);
    assert.deepEqual(
      [...queries].sort(),
      ['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NS', 'SOA', 'TXT'].map((t) => `assay-test.com ${t}`),
      'exactly one query per record type',
    );
    assert.deepEqual(rdap.requests.slice(requestsBefore), ['/domain/assay-test.com']);
    for (const [dnsLookup, rdapLookup] of lookups) {
      assert.equal((dnsLookup.result.attributes.last_dns_records as unknown[]).length, 7);
      assert.match(rdapLookup.result.attributes.whois as string, /^Domain Name: ASSAY-TEST\.COM$/m);
    }

    // Later askers are answered from the cache.
    const again = await cache.lookup(dnsSource, domain('assay-test.com'), signal());
    assert.equal(again.fromCache, true);
    assert.equal(dns.queries.length - queriesBefore, 8);
  });

  it('past the TTL serves the stale answer at once and refreshes it once in the background', async () => {
    const clock = manualClock();
    const store = new MemoryIntelCacheStore();
    const cache = new CachedIntel(store, { now: clock.now });
    const dnsSource = new DnsSource({ servers: [dns.server], cacheTtlMs: 60_000, now: clock.now });
    const start = dns.queries.length;

    const first = await cache.lookup(dnsSource, domain('assay-test.com'), signal());
    assert.deepEqual([first.fromCache, first.stale], [false, false]);
    assert.equal(dns.queries.length - start, 8);

    clock.advance(59_000);
    const fresh = await cache.lookup(dnsSource, domain('assay-test.com'), signal());
    assert.deepEqual([fresh.fromCache, fresh.stale, fresh.fetchedAt], [true, false, first.fetchedAt]);

    clock.advance(2_000);
    const staleLookups = await Promise.all(Array.from({ length: 5 }, () => cache.lookup(dnsSource, domain('assay-test.com'), signal())));
    for (const stale of staleLookups) {
      assert.deepEqual([stale.fromCache, stale.stale, stale.fetchedAt], [true, true, first.fetchedAt]);
      assert.deepEqual(stale.result, first.result);
    }

    await eventually(async () => (await store.get('dns', cacheKey(domain('assay-test.com'))))?.fetchedAt !== first.fetchedAt, 'the refreshed entry');
    await cache.idle();
    assert.equal(dns.queries.length - start, 16, 'one refresh: one more query per record type');
    const refreshed = await cache.lookup(dnsSource, domain('assay-test.com'), signal());
    assert.deepEqual([refreshed.fromCache, refreshed.stale, refreshed.fetchedAt], [true, false, clock.now()]);
  });
});

describe('CachedIntel failures, budgets and callers', () => {
  it('remembers a failure for at most 60 s', async () => {
    const clock = manualClock();
    const cache = new CachedIntel(new MemoryIntelCacheStore(), { now: clock.now });
    const source = new ScriptedSource(3_600_000, async (call) => {
      if (call === 1) throw new PluginError('dns-unavailable', 'no answer', true);
      return answer(call);
    });
    const failed = (err: unknown) => err instanceof PluginError && err.flag === 'dns-unavailable' && err.retryable;
    await assert.rejects(cache.lookup(source, domain('a.test'), signal()), failed);
    clock.advance(NEGATIVE_CACHE_MS - 1);
    await assert.rejects(cache.lookup(source, domain('a.test'), signal()), failed);
    assert.equal(source.calls, 1, 'the failure was served from the cache');
    clock.advance(1);
    const recovered = await cache.lookup(source, domain('a.test'), signal());
    assert.deepEqual(recovered.result, answer(2));
    assert.equal(source.calls, 2);
  });

  it('a failed refresh keeps serving the stale answer and waits before trying again', async () => {
    const clock = manualClock();
    const refreshErrors: string[] = [];
    const cache = new CachedIntel(new MemoryIntelCacheStore(), { now: clock.now, onRefreshError: (e) => refreshErrors.push((e as PluginError).flag) });
    const source = new ScriptedSource(1_000, async (call) => {
      if (call === 2) throw new PluginError('rdap-http-error', 'busy', true);
      return answer(call);
    });
    await cache.lookup(source, domain('b.test'), signal());
    clock.advance(1_000);
    const stale = await cache.lookup(source, domain('b.test'), signal());
    assert.deepEqual([stale.stale, stale.result], [true, answer(1)]);
    await cache.idle();
    assert.deepEqual(refreshErrors, ['rdap-http-error']);

    const stillStale = await cache.lookup(source, domain('b.test'), signal());
    assert.deepEqual([stillStale.stale, stillStale.result], [true, answer(1)]);
    await cache.idle();
    assert.equal(source.calls, 2, 'no new attempt within the negative-cache window');

    clock.advance(1_000);
    await cache.lookup(source, domain('b.test'), signal());
    await cache.idle();
    assert.equal(source.calls, 3);
    assert.deepEqual((await cache.lookup(source, domain('b.test'), signal())).result, answer(3));
  });

  it('a spent budget serves stale answers, else fails retryably', async () => {
    const clock = manualClock();
    const cache = new CachedIntel(new MemoryIntelCacheStore(), { now: clock.now });
    const source = new ScriptedSource(1_000, async (call) => answer(call));
    const budget = { budgetPerMinute: 1 };
    await cache.lookup(source, domain('c.test'), signal(), budget);
    await assert.rejects(
      cache.lookup(source, domain('d.test'), signal(), budget),
      (err: unknown) => err instanceof PluginError && err.flag === 'rate-budget' && err.retryable,
    );
    clock.advance(1_500);
    // Budget of this minute spent: the stale answer, and no refresh.
    const stale = await cache.lookup(source, domain('c.test'), signal(), { ...budget, force: true });
    assert.deepEqual([stale.stale, stale.result], [true, answer(1)]);
    assert.equal(source.calls, 1);
  });

  it('force asks the source despite a fresh answer', async () => {
    const cache = new CachedIntel(new MemoryIntelCacheStore());
    const source = new ScriptedSource(3_600_000, async (call) => answer(call));
    await cache.lookup(source, domain('e.test'), signal());
    const forced = await cache.lookup(source, domain('e.test'), signal(), { force: true });
    assert.deepEqual([forced.fromCache, forced.result], [false, answer(2)]);
  });

  it('a caller giving up does not cancel the lookup others share', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source = new ScriptedSource(3_600_000, async (call) => {
      await gate;
      return answer(call);
    });
    const cache = new CachedIntel(new MemoryIntelCacheStore());
    const impatient = new AbortController();
    const first = cache.lookup(source, domain('f.test'), impatient.signal);
    const second = cache.lookup(source, domain('f.test'), signal());
    impatient.abort(new Error('caller gave up'));
    await assert.rejects(first, /caller gave up/);
    release();
    assert.deepEqual((await second).result, answer(1));
    assert.equal(source.calls, 1);
  });
});
