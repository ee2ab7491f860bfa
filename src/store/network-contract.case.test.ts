/**
 * The Store contract for URLs, domains and IPs, relations, resolutions, history, the intel cache,
 * feeds and popularity ranks, run by runStoreContract on every adapter. Not a test file by itself.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppError } from '../core/errors.js';
import { statsOf, type EngineResult } from '../core/verdict.js';
import type { FeedEntry } from '../core/model/feed.js';
import type { Page } from '../core/model/page.js';
import type { RelationEdge } from '../core/model/relation.js';
import type { UrlAnalysisOutcome } from './ports/analysis-repository.js';
import type { Store } from './ports/store.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function result(engine: string, category: EngineResult['category'], detection: string | null = null): EngineResult {
  return { engine_name: engine, category, result: detection, method: 'blacklist', engine_version: '1', engine_update: '20250101' };
}

/** Every page, following cursors to the end. */
async function allPages<T>(fetch: (cursor?: string) => Promise<Page<T>>): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    sizes.push(page.items.length);
    cursor = page.cursor;
    if (cursor !== undefined) assert.match(cursor, /^[A-Za-z0-9_-]+$/, 'cursor is base64url');
  } while (cursor !== undefined);
  return { items, sizes };
}

async function* inBatches<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

const isInvalidArgument = (e: unknown) => isAppError(e) && e.code === 'InvalidArgumentError';

function urlEntry(url: string, threat: string | null = 'malware_download', addedAt: number | null = 100): FeedEntry {
  return { urlId: sha256(url), host: new URL(url).hostname, threat, addedAt };
}

export function runNetworkStoreContract(withStore: (use: (store: Store) => Promise<void>) => Promise<void>): void {
  describe('urls', () => {
    test('a second submission counts and moves the last date; url keeps the first form', () =>
      withStore(async (store) => {
        const canonicalUrl = 'http://example.com/a';
        const id = sha256(canonicalUrl);
        const first = await store.urls.recordSubmission({ id, url: 'HTTP://Example.com/a', canonicalUrl, at: 100 });
        assert.deepEqual(first, {
          id,
          url: 'HTTP://Example.com/a',
          canonicalUrl,
          timesSubmitted: 1,
          firstSubmissionDate: 100,
          lastSubmissionDate: 100,
          attributes: {},
          tags: [],
          lastAnalysisId: null,
          lastAnalysisDate: null,
          lastAnalysisResults: null,
          lastAnalysisStats: null,
        });
        const second = await store.urls.recordSubmission({ id, url: 'http://example.com/a', canonicalUrl, at: 200 });
        assert.deepEqual(second, { ...first, timesSubmitted: 2, lastSubmissionDate: 200 });
        await store.urls.recordSubmission({ id, url: canonicalUrl, canonicalUrl, at: 150 });
        assert.deepEqual(await store.urls.get(id), { ...first, timesSubmitted: 3, lastSubmissionDate: 200 }, 'a late submission does not move the date back');
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.urls.recordSubmission({ id, url: canonicalUrl, canonicalUrl, at: 300 + i })));
        assert.deepEqual(await store.urls.get(id), { ...first, timesSubmitted: 13, lastSubmissionDate: 309 }, 'concurrent submissions all count');
        assert.equal(await store.urls.get(sha256('http://other.example/')), undefined);
      }));

    test('completeUrlAnalysis completes once, replacing the URL\'s last analysis, attributes and tags', () =>
      withStore(async (store) => {
        const canonicalUrl = 'https://example.com/login';
        const urlId = sha256(canonicalUrl);
        await store.urls.recordSubmission({ id: urlId, url: canonicalUrl, canonicalUrl, at: 100 });
        await store.analyses.create({ id: 'u-first', itemType: 'url', itemId: urlId, date: 100 });
        const firstResults = [result('URLhaus', 'malicious', 'malware'), result('OpenPhish', 'harmless')];
        const first: UrlAnalysisOutcome = {
          analysisId: 'u-first',
          urlId,
          results: firstResults,
          stats: statsOf(firstResults),
          attributes: { title: 'Log in', last_http_response_code: 200, redirection_chain: ['http://example.com/login'] },
          tags: ['redirector', 'redirector'],
          at: 110,
        };
        assert.equal(await store.analyses.completeUrlAnalysis(first), true);
        assert.deepEqual(await store.analyses.get('u-first'), {
          id: 'u-first',
          itemType: 'url',
          itemId: urlId,
          status: 'completed',
          date: 100,
          results: firstResults,
          stats: statsOf(firstResults),
          completedAt: 110,
        });
        const afterFirst = await store.urls.get(urlId);
        assert.equal(afterFirst?.lastAnalysisId, 'u-first');
        assert.equal(afterFirst?.lastAnalysisDate, 110);
        assert.deepEqual(afterFirst?.lastAnalysisResults, firstResults);
        assert.deepEqual(afterFirst?.lastAnalysisStats, statsOf(firstResults));
        assert.deepEqual(afterFirst?.attributes, first.attributes);
        assert.deepEqual(afterFirst?.tags, ['redirector']);

        assert.equal(
          await store.analyses.completeUrlAnalysis({ ...first, results: [], stats: statsOf([]), attributes: {}, tags: [], at: 120 }),
          false,
          'a second completion of one analysis changes nothing',
        );
        assert.deepEqual(await store.urls.get(urlId), afterFirst);
        assert.equal((await store.analyses.get('u-first'))?.completedAt, 110);

        await store.analyses.create({ id: 'u-second', itemType: 'url', itemId: urlId, date: 200 });
        const secondResults = [result('URLhaus', 'harmless')];
        assert.equal(
          await store.analyses.completeUrlAnalysis({
            analysisId: 'u-second',
            urlId,
            results: secondResults,
            stats: statsOf(secondResults),
            attributes: { last_http_response_code: 404 },
            tags: ['external-resources'],
            at: 210,
          }),
          true,
        );
        const afterSecond = await store.urls.get(urlId);
        assert.equal(afterSecond?.lastAnalysisId, 'u-second');
        assert.equal(afterSecond?.lastAnalysisDate, 210);
        assert.deepEqual(afterSecond?.lastAnalysisStats, statsOf(secondResults));
        assert.deepEqual(afterSecond?.attributes, { last_http_response_code: 404 }, 'a fetch describes one moment: nothing carries over');
        assert.deepEqual(afterSecond?.tags, ['external-resources']);
        assert.deepEqual((await store.analyses.listForItem(urlId, { limit: 10 })).items.map((a) => a.id), ['u-second', 'u-first']);
      }));

    test('completing the analysis of an unrecorded URL fails and leaves the analysis unfinished', () =>
      withStore(async (store) => {
        const urlId = sha256('http://never-submitted.example/');
        await store.analyses.create({ id: 'orphan', itemType: 'url', itemId: urlId, date: 1 });
        await assert.rejects(
          store.analyses.completeUrlAnalysis({ analysisId: 'orphan', urlId, results: [], stats: statsOf([]), attributes: {}, tags: [], at: 2 }),
        );
        assert.equal((await store.analyses.get('orphan'))?.status, 'queued');
      }));
  });

  describe('network objects', () => {
    test('merge creates the object, replaces top-level keys and dates only real changes', () =>
      withStore(async (store) => {
        assert.equal(await store.networkObjects.get('domain', 'example.com'), undefined);
        const created = await store.networkObjects.merge('domain', 'example.com', { whois: { registrar: 'A' }, tld: 'com' }, 100);
        assert.deepEqual(created, {
          type: 'domain',
          id: 'example.com',
          attributes: { whois: { registrar: 'A' }, tld: 'com' },
          tags: [],
          firstSeenDate: 100,
          lastModificationDate: 100,
        });
        const merged = await store.networkObjects.merge('domain', 'example.com', { whois: { created: 1 }, last_dns_records: [] }, 200);
        assert.deepEqual(merged.attributes, { whois: { created: 1 }, tld: 'com', last_dns_records: [] }, 'top-level keys replace, nested ones are not merged');
        assert.equal(merged.firstSeenDate, 100);
        assert.equal(merged.lastModificationDate, 200);
        const unchanged = await store.networkObjects.merge('domain', 'example.com', { tld: 'com' }, 300);
        assert.equal(unchanged.lastModificationDate, 200, 'merging what is already there is no modification');
        assert.deepEqual(await store.networkObjects.get('domain', 'example.com'), merged);
        assert.equal(await store.networkObjects.get('ip_address', 'example.com'), undefined, 'types are separate');
      }));

    test('20 concurrent merges of different keys into one object are all kept', () =>
      withStore(async (store) => {
        const keys = Array.from({ length: 20 }, (_, i) => `source_${i}`);
        await Promise.all(keys.map((key, i) => store.networkObjects.merge('ip_address', '192.0.2.1', { [key]: i }, 100 + i)));
        const object = await store.networkObjects.get('ip_address', '192.0.2.1');
        assert.deepEqual(Object.keys(object?.attributes ?? {}).sort(), [...keys].sort());
        assert.equal(object?.firstSeenDate !== undefined && object.firstSeenDate >= 100 && object.firstSeenDate < 120, true);
      }));

    test('listBySuffix pages through the names under a domain, and only those', () =>
      withStore(async (store) => {
        const under = ['www.example.com', 'mail.example.com', 'a.b.example.com', 'b.example.com', ...Array.from({ length: 9 }, (_, i) => `host${i}.example.com`)];
        const outside = ['example.com', 'notexample.com', 'example-shop.com', 'examplez.com', 'www.notexample.com', 'example.com.evil.org', 'example.org', 'wwwexample.com'];
        for (const id of [...under, ...outside]) await store.networkObjects.merge('domain', id, { seen: true }, 1);
        await store.networkObjects.merge('ip_address', 'x.example.com', { odd: true }, 1);

        const { items, sizes } = await allPages((cursor) => store.networkObjects.listBySuffix('domain', 'example.com', { limit: 5, ...(cursor ? { cursor } : {}) }));
        const ids = items.map((o) => o.id);
        assert.deepEqual([...ids].sort(), [...under].sort());
        assert.equal(new Set(ids).size, ids.length, 'no name twice');
        assert.deepEqual(sizes, [5, 5, 3]);
        assert.ok(items.every((o) => o.type === 'domain' && o.attributes.seen === true));

        const deeper = await store.networkObjects.listBySuffix('domain', 'b.example.com', { limit: 10 });
        assert.deepEqual(deeper, { items: [await store.networkObjects.get('domain', 'a.b.example.com')] });
        assert.deepEqual(await store.networkObjects.listBySuffix('domain', 'nothing.test', { limit: 10 }), { items: [] });
        await assert.rejects(store.networkObjects.listBySuffix('domain', 'example.com', { limit: 5, cursor: 'not-a-cursor' }), isInvalidArgument);
      }));
  });

  describe('relations', () => {
    const from = { type: 'url' as const, id: sha256('http://example.com/') };

    test('upsert keeps first_seen and source, moves last_seen forward only', () =>
      withStore(async (store) => {
        const edge = { fromType: from.type, fromId: from.id, name: 'contacted_domains', toType: 'domain' as const, toId: 'cdn.example.net' };
        await store.relations.upsert([{ ...edge, source: 'url-fetch', at: 100 }]);
        await store.relations.upsert([
          { ...edge, source: 'dns', at: 300 },
          { ...edge, source: 'dns', at: 200 },
        ]);
        await store.relations.upsert([{ ...edge, source: 'dns', at: 250 }]);
        await store.relations.upsert([]);
        const expected: RelationEdge = { ...edge, firstSeen: 100, lastSeen: 300, source: 'url-fetch' };
        assert.deepEqual(await store.relations.list(from, 'contacted_domains', { limit: 10 }), { items: [expected] });
        assert.deepEqual(await store.relations.list(from, 'contacted_ips', { limit: 10 }), { items: [] });
        assert.deepEqual(await store.relations.list({ type: 'file', id: from.id }, 'contacted_domains', { limit: 10 }), { items: [] });
      }));

    test('25 edges page as 10, 10 and 5, most recently seen first, without repeats', () =>
      withStore(async (store) => {
        // Pairs of edges share a last_seen, so the order within a date must come from the ids.
        const edges = Array.from({ length: 25 }, (_, i) => ({
          fromType: from.type,
          fromId: from.id,
          name: 'contacted_ips',
          toType: 'ip_address' as const,
          toId: `198.51.100.${i}`,
          source: 'url-fetch',
          at: 1000 + Math.floor(i / 2),
        }));
        await store.relations.upsert(edges);
        await store.relations.upsert([{ ...edges[0]!, name: 'contacted_domains', toType: 'domain', toId: 'elsewhere.example' }]);

        const { items, sizes } = await allPages((cursor) => store.relations.list(from, 'contacted_ips', { limit: 10, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(sizes, [10, 10, 5]);
        const ids = items.map((e) => e.toId);
        assert.equal(new Set(ids).size, 25);
        const sorted = [...items].sort((a, b) => b.lastSeen - a.lastSeen || (a.toId < b.toId ? 1 : -1));
        assert.deepEqual(ids, sorted.map((e) => e.toId), 'newest first, ties by id descending');
        await assert.rejects(store.relations.list(from, 'contacted_ips', { limit: 10, cursor: 'e30' }), isInvalidArgument);
      }));

    test('listTo reads edges backwards, from one source type only, paged newest first', () =>
      withStore(async (store) => {
        const file = { type: 'file' as const, id: sha256('downloaded body') };
        const edges = Array.from({ length: 23 }, (_, i) => ({
          fromType: 'url' as const,
          fromId: sha256(`http://site${i}.example/payload`),
          name: 'downloaded_files',
          toType: file.type,
          toId: file.id,
          source: 'url-fetch',
          at: 2000 + Math.floor(i / 3),
        }));
        await store.relations.upsert([
          ...edges,
          { ...edges[0]!, fromType: 'domain', fromId: 'site0.example' },
          { ...edges[0]!, toId: sha256('another file') },
          { ...edges[0]!, name: 'http_response_contents' },
        ]);
        const { items, sizes } = await allPages((cursor) => store.relations.listTo(file, 'downloaded_files', 'url', { limit: 10, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(sizes, [10, 10, 3]);
        assert.equal(new Set(items.map((e) => e.fromId)).size, 23);
        assert.ok(items.every((e) => e.fromType === 'url' && e.toId === file.id && e.name === 'downloaded_files'));
        const sorted = [...items].sort((a, b) => b.lastSeen - a.lastSeen || (a.fromId < b.fromId ? 1 : -1));
        assert.deepEqual(items.map((e) => e.fromId), sorted.map((e) => e.fromId), 'newest first, ties by id descending');
        assert.deepEqual((await store.relations.listTo(file, 'downloaded_files', 'domain', { limit: 10 })).items.map((e) => e.fromId), ['site0.example']);
        await assert.rejects(store.relations.listTo(file, 'downloaded_files', 'url', { limit: 10, cursor: 'e30' }), isInvalidArgument);
      }));
  });

  describe('submissions', () => {
    test("a file's submissions, newest first, only those whose owner is asked for, paged", () =>
      withStore(async (store) => {
        const sha = sha256('submitted file');
        const rows = Array.from({ length: 12 }, (_, i) => ({
          id: `f-${sha}-${3000 + Math.floor(i / 2)}-${i.toString(16).padStart(4, '0')}`,
          sha256: sha,
          date: 3000 + Math.floor(i / 2),
          interface: 'api',
          name: i % 3 === 0 ? null : `name-${i}.bin`,
          sourceKey: 'abcd1234',
          owner: i % 4 === 0 ? 'group:soc' : '*',
        }));
        for (const row of rows) await store.submissions.record(row);
        await store.submissions.record(rows[1]!); // a repeat changes nothing
        await store.submissions.record({ ...rows[1]!, id: 'f-other', sha256: sha256('other') });
        const publicOnly = await allPages((cursor) => store.submissions.listForFile(sha, ['*'], { limit: 4, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(publicOnly.sizes, [4, 4, 1]);
        assert.deepEqual(publicOnly.items, rows.filter((r) => r.owner === '*').sort((a, b) => b.date - a.date || (a.id < b.id ? 1 : -1)));
        const all = await store.submissions.listForFile(sha, ['*', 'group:soc', 'user:x'], { limit: 50 });
        assert.equal(all.items.length, 12);
        assert.deepEqual(await store.submissions.listForFile(sha, [], { limit: 5 }), { items: [] });
        await assert.rejects(store.submissions.listForFile(sha, ['*'], { limit: 5, cursor: 'e30' }), isInvalidArgument);
      }));
  });

  describe('resolutions', () => {
    test('record folds observations per pairing; get and list by host and by IP, with paging', () =>
      withStore(async (store) => {
        await store.resolutions.record([
          { ipAddress: '203.0.113.1', hostName: 'a.example', resolver: 'dns', at: 100 },
          { ipAddress: '203.0.113.2', hostName: 'a.example', resolver: 'dns', at: 110 },
          { ipAddress: '203.0.113.3', hostName: 'a.example', resolver: 'dns', at: 120 },
          { ipAddress: '203.0.113.1', hostName: 'b.example', resolver: 'dns', at: 130 },
          { ipAddress: '203.0.113.1', hostName: 'c.example', resolver: 'dns', at: 130 },
        ]);
        await store.resolutions.record([{ ipAddress: '203.0.113.1', hostName: 'a.example', resolver: 'url-fetch', at: 500 }]);
        await store.resolutions.record([{ ipAddress: '203.0.113.1', hostName: 'a.example', resolver: 'import', at: 50 }]);

        assert.deepEqual(await store.resolutions.get('203.0.113.1a.example'), {
          id: '203.0.113.1a.example',
          ipAddress: '203.0.113.1',
          hostName: 'a.example',
          resolver: 'url-fetch',
          firstSeen: 50,
          lastSeen: 500,
        });
        assert.equal(await store.resolutions.get('203.0.113.9a.example'), undefined);

        const byHost = await allPages((cursor) => store.resolutions.listForHost('a.example', { limit: 2, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(byHost.sizes, [2, 1]);
        assert.deepEqual(byHost.items.map((r) => r.ipAddress), ['203.0.113.1', '203.0.113.3', '203.0.113.2']);

        const byIp = await allPages((cursor) => store.resolutions.listForIp('203.0.113.1', { limit: 2, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(byIp.sizes, [2, 1]);
        assert.deepEqual(byIp.items.map((r) => r.hostName), ['a.example', 'c.example', 'b.example'], 'newest first, ties by id descending');
        assert.deepEqual(await store.resolutions.listForIp('203.0.113.99', { limit: 2 }), { items: [] });
      }));
  });

  describe('history', () => {
    test('record adds a content only when it changed, otherwise moves last_seen; list is newest first', () =>
      withStore(async (store) => {
        const item = { type: 'domain' as const, id: 'example.com' };
        const whoisA = { registrar: 'A' };
        const whoisB = { registrar: 'B' };
        const entry = (content: Record<string, unknown>, at: number) => ({
          id: sha256(JSON.stringify(content)),
          kind: 'whois' as const,
          itemType: item.type,
          itemId: item.id,
          content,
          at,
        });
        assert.equal(await store.history.record(entry(whoisA, 100)), true);
        assert.equal(await store.history.record(entry(whoisA, 200)), false);
        assert.equal(await store.history.record(entry(whoisB, 300)), true);
        assert.equal(await store.history.record(entry(whoisA, 150)), false, 'an older sighting');
        assert.equal(await store.history.record({ ...entry(whoisA, 400), itemId: 'example.org' }, ), true, 'per item');

        const { items, sizes } = await allPages((cursor) => store.history.list('whois', item, { limit: 1, ...(cursor ? { cursor } : {}) }));
        assert.deepEqual(sizes, [1, 1]);
        assert.deepEqual(items, [
          { id: sha256(JSON.stringify(whoisB)), kind: 'whois', itemType: 'domain', itemId: 'example.com', content: whoisB, firstSeen: 300, lastSeen: 300 },
          { id: sha256(JSON.stringify(whoisA)), kind: 'whois', itemType: 'domain', itemId: 'example.com', content: whoisA, firstSeen: 100, lastSeen: 200 },
        ]);
        assert.deepEqual(await store.history.list('ssl_cert', item, { limit: 10 }), { items: [] });
      }));
  });

  describe('intel cache', () => {
    test('get, put and overwrite, per source and key', () =>
      withStore(async (store) => {
        assert.equal(await store.intelCache.get('rdap', 'example.com'), undefined);
        const entry = { value: { events: [{ action: 'registration' }], handle: null }, fetchedAt: 1_700_000_000_000, expiresAt: 1_700_086_400_000 };
        await store.intelCache.put('rdap', 'example.com', entry);
        assert.deepEqual(await store.intelCache.get('rdap', 'example.com'), entry);
        assert.equal(await store.intelCache.get('dns', 'example.com'), undefined);
        const newer = { value: 'NXDOMAIN', fetchedAt: 1_700_000_500_000, expiresAt: 1_700_000_600_000 };
        await store.intelCache.put('rdap', 'example.com', newer);
        assert.deepEqual(await store.intelCache.get('rdap', 'example.com'), newer);
      }));

    test('takeBudget grants exactly perMinute of 30 concurrent takes, and again in the next minute', () =>
      withStore(async (store) => {
        const now = Date.UTC(2025, 0, 1, 12, 0, 30);
        const taken = await Promise.all(Array.from({ length: 30 }, () => store.intelCache.takeBudget('rdap', 10, now)));
        assert.equal(taken.filter(Boolean).length, 10);
        assert.equal(await store.intelCache.takeBudget('rdap', 10, now + 29_000), false, 'same UTC minute');
        assert.equal(await store.intelCache.takeBudget('dns', 10, now), true, 'budgets are per source');
        assert.equal(await store.intelCache.takeBudget('rdap', 10, now + 30_000), true, 'a new minute');
        assert.equal(await store.intelCache.takeBudget('none', 0, now), false);
      }));
  });

  describe('feeds', () => {
    const info = (name: string, importedAt: number) => ({ name, format: 'urlhaus-csv', importedAt, feedDate: importedAt - 10, source: '/feeds/urlhaus.csv' });

    test('replace stores a feed, collapses duplicates, and a second import replaces the first', () =>
      withStore(async (store) => {
        const first = [
          urlEntry('http://bad.example/a.exe'),
          urlEntry('http://bad.example/b.exe', 'phishing', 90),
          urlEntry('http://bad.example/a.exe', 'duplicate'),
          urlEntry('http://other.example/x'),
        ];
        assert.equal(await store.feeds.replace(info('URLhaus', 1000), inBatches(first, 2)), 3);
        assert.equal(await store.feeds.replace({ ...info('OpenPhish', 1000), format: 'plain', source: null }, inBatches([urlEntry('http://bad.example/b.exe', null, null)], 10)), 1);
        await store.feeds.replace({ ...info('Blocklist', 1000), format: 'hosts' }, inBatches([{ urlId: '', host: 'bad.example', threat: null, addedAt: null }], 10));

        assert.deepEqual(await store.feeds.findUrl(sha256('http://bad.example/a.exe')), [{ feed: 'URLhaus', entry: urlEntry('http://bad.example/a.exe') }]);
        assert.deepEqual(await store.feeds.findUrl(sha256('http://bad.example/b.exe')), [
          { feed: 'OpenPhish', entry: urlEntry('http://bad.example/b.exe', null, null) },
          { feed: 'URLhaus', entry: urlEntry('http://bad.example/b.exe', 'phishing', 90) },
        ]);
        assert.deepEqual(await store.feeds.findUrl(''), [], 'host-only entries are not URLs');
        const byHost = await store.feeds.findHost('bad.example');
        assert.deepEqual(
          byHost.map((h) => [h.feed, h.count]),
          [
            ['Blocklist', 1],
            ['OpenPhish', 1],
            ['URLhaus', 2],
          ],
        );
        assert.deepEqual(byHost[0]?.entry, { urlId: '', host: 'bad.example', threat: null, addedAt: null });
        assert.ok([sha256('http://bad.example/a.exe'), sha256('http://bad.example/b.exe')].includes(byHost[2]?.entry.urlId ?? ''));

        const second = [urlEntry('http://new.example/payload')];
        assert.equal(await store.feeds.replace(info('URLhaus', 2000), inBatches(second, 1)), 1);
        assert.deepEqual(await store.feeds.findUrl(sha256('http://bad.example/a.exe')), [], 'the old set is gone');
        assert.deepEqual((await store.feeds.findHost('bad.example')).map((h) => h.feed), ['Blocklist', 'OpenPhish']);
        assert.deepEqual(await store.feeds.findUrl(sha256('http://new.example/payload')), [{ feed: 'URLhaus', entry: second[0] }]);
        assert.deepEqual(await store.feeds.list(), [
          { name: 'Blocklist', format: 'hosts', entries: 1, importedAt: 1000, feedDate: 990, source: '/feeds/urlhaus.csv' },
          { name: 'OpenPhish', format: 'plain', entries: 1, importedAt: 1000, feedDate: 990, source: null },
          { name: 'URLhaus', format: 'urlhaus-csv', entries: 1, importedAt: 2000, feedDate: 1990, source: '/feeds/urlhaus.csv' },
        ]);
      }));

    test('an import that fails part-way leaves the previous set and info in place', () =>
      withStore(async (store) => {
        await store.feeds.replace(info('URLhaus', 1000), inBatches([urlEntry('http://kept.example/')], 1));
        async function* failing(): AsyncGenerator<FeedEntry[]> {
          yield [urlEntry('http://partial.example/')];
          throw new Error('connection reset');
        }
        await assert.rejects(store.feeds.replace(info('URLhaus', 2000), failing()), /connection reset/);
        assert.equal((await store.feeds.findUrl(sha256('http://kept.example/'))).length, 1);
        assert.deepEqual(await store.feeds.findUrl(sha256('http://partial.example/')), []);
        assert.equal((await store.feeds.list())[0]?.importedAt, 1000);
      }));

    test('during an import readers see the old set and the store stays writable; then the new set, never a mix', () =>
      withStore(async (store) => {
        const on = (n: number) => urlEntry(`http://h.example/${n}`);
        await store.feeds.replace(info('URLhaus', 1000), inBatches([on(1), on(2), on(3)], 3));
        let midway: Array<{ feed: string; count: number }> | undefined;
        async function* replacement(): AsyncGenerator<FeedEntry[]> {
          yield [on(4), on(5)];
          // Resumed once the first batch is written: a read, and a write elsewhere, complete now.
          midway = await store.feeds.findHost('h.example');
          await store.urls.recordSubmission({ id: sha256('http://during.example/'), url: 'http://during.example/', canonicalUrl: 'http://during.example/', at: 1 });
          yield [on(6), on(7)];
        }
        assert.equal(await store.feeds.replace(info('URLhaus', 2000), replacement()), 4);
        assert.deepEqual(midway?.map((h) => h.count), [3], 'the old set, whole, while the new one is written');
        assert.deepEqual((await store.feeds.findHost('h.example')).map((h) => h.count), [4]);
        assert.deepEqual(await store.feeds.findUrl(sha256('http://h.example/1')), [], 'the old generation is gone');
      }));

    test('a 100 000-entry feed imports in batches', () =>
      withStore(async (store) => {
        const total = 100_000;
        let produced = 0;
        async function* generated(): AsyncGenerator<FeedEntry[]> {
          while (produced < total) {
            const batch: FeedEntry[] = [];
            for (let i = 0; i < 5_000; i++, produced++) {
              batch.push({ urlId: sha256(`http://h${produced % 500}.example/${produced}`), host: `h${produced % 500}.example`, threat: 'malware_download', addedAt: produced });
            }
            yield batch;
          }
        }
        assert.equal(await store.feeds.replace(info('URLhaus', 1000), generated()), total);
        assert.equal((await store.feeds.list())[0]?.entries, total);
        assert.deepEqual(await store.feeds.findUrl(sha256('http://h77.example/54577')), [
          { feed: 'URLhaus', entry: { urlId: sha256('http://h77.example/54577'), host: 'h77.example', threat: 'malware_download', addedAt: 54_577 } },
        ]);
        assert.deepEqual((await store.feeds.findHost('h77.example')).map((h) => h.count), [200]);
      }));
  });

  describe('popularity', () => {
    test('replace sets one source\'s ranks; ranksOf gathers a domain\'s ranks across sources', () =>
      withStore(async (store) => {
        const tranco = [
          { domain: 'google.com', rank: 1 },
          { domain: 'example.com', rank: 500 },
          { domain: 'example.com', rank: 900 },
        ];
        assert.equal(await store.popularity.replace('Tranco', 1000, inBatches(tranco, 2)), 2);
        assert.equal(await store.popularity.replace('Majestic', 1100, inBatches([{ domain: 'example.com', rank: 42 }], 1)), 1);
        assert.deepEqual(await store.popularity.ranksOf('example.com'), {
          Majestic: { rank: 42, timestamp: 1100 },
          Tranco: { rank: 500, timestamp: 1000 },
        });
        assert.equal(await store.popularity.replace('Tranco', 2000, inBatches([{ domain: 'google.com', rank: 2 }], 1)), 1);
        assert.deepEqual(await store.popularity.ranksOf('example.com'), { Majestic: { rank: 42, timestamp: 1100 } });
        assert.deepEqual(await store.popularity.ranksOf('google.com'), { Tranco: { rank: 2, timestamp: 2000 } });
        assert.deepEqual(await store.popularity.ranksOf('unknown.example'), {});
      }));
  });
}
