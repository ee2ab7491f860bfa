/** importFeed on a real SQLite store: each feed format from files, replacement, progress, URL sources and failures that keep the old entries. */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isAppError } from '../../core/errors.js';
import { canonicalizeUrl } from '../../core/url-canonical.js';
import { urlIdOf } from '../../core/url-ids.js';
import type { Store } from '../../store/ports/store.js';
import { openSqlite } from '../../store/sqlite/open-sqlite.js';
import { displaySourceOf } from './feed-source.js';
import { FeedHttpError } from './fetch-feed.js';
import { FEED_BATCH_SIZE, importFeed } from './import-feed.js';

const NOW_MS = Date.UTC(2025, 0, 20, 8, 0, 0);
const NOW = NOW_MS / 1000;
const unix = (iso: string) => Date.parse(iso) / 1000;
const idOf = (url: string) => urlIdOf(canonicalizeUrl(url).canonical);

const URLHAUS_CSV = `################################################################
# abuse.ch URLhaus Database Dump (CSV - recent URLs)           #
# Last updated: 2025-01-15 12:00:00 (UTC)                      #
#                                                              #
# Terms Of Use: https://urlhaus.abuse.ch/api/                  #
################################################################
#
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"3000001","2025-01-15 11:58:01","http://203.0.113.7:46071/i","online","2025-01-15 11:58:01","malware_download","32-bit,elf,mips,Mozi","https://urlhaus.abuse.ch/url/3000001/","lrz_urlhaus"
"3000000","2025-01-15 11:40:12","https://files.example.net/dl/invoice.zip","online","2025-01-15 11:40:12","malware_download","zip","https://urlhaus.abuse.ch/url/3000000/","abuse_ch"
"2999999","2025-01-14 23:10:00","not a url at all","offline","","malware_download","","https://urlhaus.abuse.ch/url/2999999/","someone"
`;

const OPENPHISH_TXT = `https://login.example-bank.top/verify/
http://paypal.account-check.example/signin?session=1

https://secure.example.xyz/office365/
`;

const PHISHTANK_CSV = `phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target
8800001,https://appleid.example.click/,http://www.phishtank.com/phish_detail.php?phish_id=8800001,2025-01-16T09:15:00+00:00,yes,2025-01-16T09:20:00+00:00,yes,Apple
8800002,"https://bank.example.zip/login,confirm",http://www.phishtank.com/phish_detail.php?phish_id=8800002,2025-01-17T10:00:00+00:00,yes,2025-01-17T10:05:00+00:00,yes,Other
`;

const PHISHTANK_JSON = JSON.stringify([
  {
    phish_id: 8800003,
    url: 'https://netflix.example.top/billing',
    phish_detail_url: 'http://www.phishtank.com/phish_detail.php?phish_id=8800003',
    submission_time: '2025-01-18T12:00:00+00:00',
    verified: 'yes',
    verification_time: '2025-01-18T12:10:00+00:00',
    online: 'yes',
    details: [{ ip_address: '198.51.100.9', cidr_block: '198.51.100.0/24' }],
    target: 'Netflix',
  },
  { phish_id: 8800004, url: 42, target: 'Broken' },
]);

const PLAIN_LIST = `# my blocklist
0.0.0.0 localhost
0.0.0.0 ads.tracker.example
bad.example.org   # whole host
http://evil.example.com/payload.exe
not a host!
`;

describe('importFeed', () => {
  let dir: string;
  let store: Store;
  let server: Server;
  let base: string;
  /** Bodies served by the test server, by path; `truncate` sends half of the body and drops the connection. */
  const served = new Map<string, { body: Buffer; truncate?: boolean; status?: number }>();
  const deps = () => ({ store, now: () => NOW_MS });
  const write = async (name: string, text: string | Buffer) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, text);
    return file;
  };
  const feed = async (name: string) => (await store.feeds.list()).find((f) => f.name === name);

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-import-feed-'));
    store = (await openSqlite(path.join(dir, 'assay.db'))).store;
    await store.migrate();
    server = createServer((req, res) => {
      const entry = served.get(req.url ?? '');
      if (!entry) return void res.writeHead(404).end('not found');
      res.writeHead(entry.status ?? 200, { 'content-type': 'text/plain', 'content-length': String(entry.body.length) });
      if (!entry.truncate) return void res.end(entry.body);
      res.write(entry.body.subarray(0, entry.body.length >> 1), () => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await store?.close();
    await new Promise((resolve) => server?.close(resolve));
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('URLhaus CSV: entries with their threat, the malformed row skipped, the newest dateadded as feed date', async () => {
    const file = await write('csv.txt', URLHAUS_CSV);
    const result = await importFeed(deps(), { format: 'urlhaus', source: file });
    assert.deepEqual(
      { name: result.name, entries: result.entries, skipped: result.skipped, feedDate: result.feedDate, source: result.source },
      { name: 'URLhaus', entries: 2, skipped: 1, feedDate: unix('2025-01-15T11:58:01Z'), source: file },
    );
    assert.deepEqual(await feed('URLhaus'), { name: 'URLhaus', format: 'urlhaus', entries: 2, importedAt: NOW, feedDate: unix('2025-01-15T11:58:01Z'), source: file });
    const [hit] = await store.feeds.findUrl(idOf('https://files.example.net/dl/invoice.zip'));
    assert.equal(hit?.feed, 'URLhaus');
    assert.equal(hit?.entry.threat, 'malware_download');
    assert.equal((await store.feeds.findHost('203.0.113.7'))[0]?.count, 1);
  });

  test('OpenPhish text: no dates in the feed, so the feed date is the import time', async () => {
    const result = await importFeed(deps(), { format: 'openphish', source: await write('feed.txt', OPENPHISH_TXT) });
    assert.equal(result.name, 'OpenPhish');
    assert.equal(result.entries, 3);
    assert.equal(result.skipped, 0);
    assert.equal(result.feedDate, NOW);
    assert.equal((await store.feeds.findUrl(idOf('http://paypal.account-check.example/signin?session=1')))[0]?.feed, 'OpenPhish');
  });

  test('PhishTank CSV then JSON under one name: the second import replaces the first', async () => {
    const csv = await importFeed(deps(), { format: 'phishtank', source: await write('online-valid.csv', PHISHTANK_CSV) });
    assert.deepEqual([csv.name, csv.entries, csv.skipped, csv.feedDate], ['PhishTank', 2, 0, unix('2025-01-17T10:00:00Z')]);
    assert.equal((await store.feeds.findUrl(idOf('https://bank.example.zip/login,confirm')))[0]?.entry.threat, 'Other');

    const json = await importFeed(deps(), { format: 'phishtank', source: await write('online-valid.json', PHISHTANK_JSON) });
    assert.deepEqual([json.name, json.entries, json.skipped, json.feedDate], ['PhishTank', 1, 1, unix('2025-01-18T12:00:00Z')]);
    assert.equal((await feed('PhishTank'))?.entries, 1);
    assert.equal((await store.feeds.findUrl(idOf('https://netflix.example.top/billing')))[0]?.entry.threat, 'Netflix');
    assert.deepEqual(await store.feeds.findUrl(idOf('https://appleid.example.click/')), []);
  });

  test('a plain list needs a name; hosts and URLs are listed under it, boilerplate and junk are not', async () => {
    const file = await write('blocklist.txt', PLAIN_LIST);
    await assert.rejects(importFeed(deps(), { format: 'plain', source: file }), (e: unknown) => isAppError(e) && e.code === 'InvalidArgumentError');
    await assert.rejects(importFeed(deps(), { format: 'plain', source: file, name: '  ' }), /1 to 100 printable characters/);
    await assert.rejects(importFeed(deps(), { format: 'plain', source: file, name: 'Team#2' }), /other than #/);
    const result = await importFeed(deps(), { format: 'plain', source: file, name: 'Local blocklist' });
    assert.deepEqual([result.name, result.entries, result.skipped, result.stats.comments], ['Local blocklist', 3, 1, 2]);
    const [host] = await store.feeds.findHost('bad.example.org');
    assert.deepEqual([host?.feed, host?.entry.urlId], ['Local blocklist', '']);
    assert.equal((await store.feeds.findHost('ads.tracker.example')).length, 1);
    assert.equal((await store.feeds.findHost('localhost')).length, 0);
  });

  test('progress: bytes grow to the file size and entries to the count, over several store batches', async () => {
    const count = 3 * FEED_BATCH_SIZE + 17;
    const lines = Array.from({ length: count }, (_, i) => `https://phish-${i}.example.top/${'p'.repeat(400)}/login`);
    const file = await write('big.txt', `${lines.join('\n')}\n`);
    const size = (await fs.stat(file)).size;
    assert.ok(size > 1024 * 1024);
    const calls: Array<[number, number | undefined, number]> = [];
    const result = await importFeed(deps(), { format: 'openphish', source: file, name: 'Big', onProgress: (...args) => calls.push(args) });
    assert.equal(result.entries, count);
    assert.equal(result.bytesRead, size);
    assert.ok(calls.length > 5, `${calls.length} progress calls`);
    assert.ok(calls.every(([, total]) => total === size));
    assert.ok(calls.every(([bytes], i) => i === 0 || bytes >= calls[i - 1]![0]), 'bytes never go back');
    assert.deepEqual(calls.at(-1), [size, size, count]);
  });

  test('an http source is fetched (undici), gunzipped by its .gz name, and recorded by URL', async () => {
    served.set('/downloads/csv.txt.gz', { body: gzipSync(URLHAUS_CSV) });
    const spoolDir = path.join(dir, 'spool');
    const calls: number[] = [];
    const result = await importFeed(deps(), {
      format: 'urlhaus',
      source: `${base}/downloads/csv.txt.gz`,
      name: 'URLhaus mirror',
      spoolDir,
      onProgress: (bytes) => calls.push(bytes),
    });
    assert.deepEqual([result.entries, result.skipped, result.source], [2, 1, `${base}/downloads/csv.txt.gz`]);
    assert.equal(result.bytesRead, gzipSync(URLHAUS_CSV).length);
    assert.equal(calls.at(-1), result.bytesRead);
    assert.equal((await feed('URLhaus mirror'))?.source, `${base}/downloads/csv.txt.gz`);
    assert.deepEqual(await fs.readdir(spoolDir), [], 'the spool file is removed');
  });

  test('an injected fetch is used for URLs, and credentials never reach the stored source', async () => {
    const asked: string[] = [];
    const fetch = async (url: string) => {
      asked.push(url);
      return Readable.from([Buffer.from(OPENPHISH_TXT)]);
    };
    const result = await importFeed(deps(), { format: 'openphish', source: 'https://user:secret@feeds.example/feed.txt', name: 'Mirror', fetch });
    assert.deepEqual(asked, ['https://user:secret@feeds.example/feed.txt']);
    assert.equal(result.source, 'https://feeds.example/feed.txt');
    assert.equal(displaySourceOf('relative/feed.txt'), path.resolve('relative/feed.txt'));
  });

  test('a failed refresh keeps the previous entries: HTTP error, a download cut short, an empty feed when entries are required', async () => {
    served.set('/feed.txt', { body: Buffer.from(OPENPHISH_TXT) });
    await importFeed(deps(), { format: 'openphish', source: `${base}/feed.txt`, name: 'Kept' });
    const before = await feed('Kept');
    assert.equal(before?.entries, 3);

    await assert.rejects(importFeed(deps(), { format: 'openphish', source: `${base}/missing.txt`, name: 'Kept' }), (e: unknown) => e instanceof FeedHttpError && e.status === 404);
    served.set('/cut.txt', { body: Buffer.from(`${OPENPHISH_TXT}${'https://more.example/x\n'.repeat(2000)}`), truncate: true });
    await assert.rejects(importFeed(deps(), { format: 'openphish', source: `${base}/cut.txt`, name: 'Kept' }));
    const empty = await write('empty.txt', '# nothing today\n');
    await assert.rejects(importFeed(deps(), { format: 'openphish', source: empty, name: 'Kept', requireEntries: true }), /gave no Kept entries; the previous import is kept/);
    // A stream that fails after some entries were written rolls back with the transaction.
    const failing = async () =>
      Readable.from(
        (async function* () {
          yield Buffer.from('https://partial.example/a\n'.repeat(FEED_BATCH_SIZE * 2));
          throw new Error('connection reset');
        })(),
      );
    await assert.rejects(importFeed(deps(), { format: 'openphish', source: 'https://feeds.example/x', name: 'Kept', fetch: failing }), /connection reset/);

    assert.deepEqual(await feed('Kept'), before);
    assert.equal((await store.feeds.findUrl(idOf('https://login.example-bank.top/verify/'))).some((h) => h.feed === 'Kept'), true);
    assert.deepEqual(await store.feeds.findHost('partial.example'), []);
    // Without requireEntries an empty file is a deliberate empty feed.
    assert.equal((await importFeed(deps(), { format: 'openphish', source: empty, name: 'Kept' })).entries, 0);
  });

  test('a missing file or a directory is an error before the store is touched', async () => {
    await assert.rejects(importFeed(deps(), { format: 'openphish', source: path.join(dir, 'nope.txt') }), /ENOENT/);
    await assert.rejects(importFeed(deps(), { format: 'openphish', source: dir }), /not a regular file/);
  });
});
