// Blocklist engines over an in-memory feed index filled by the real parsers: listed URL, listed host, host with other URLs, nothing.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { UrlInput } from '../../core/plugin.js';
import { canonicalizeUrl } from '../../core/url-canonical.js';
import { feedEntryOf, feedFormats, type FeedFormatName } from '../../feeds/index.js';
import { BlocklistEngine, resultForThreat, type FeedIndex, type FeedIndexEntry } from './index.js';
import { runUrlEngineContract } from '../contract.case.test.js';

interface StoredEntry extends FeedIndexEntry {
  urlId: string;
  host: string;
  addedAt: number | null;
}

/** What the store's FeedRepository does, in memory: entries by feed, host-only entries first on findHost. */
class MemoryFeedIndex implements FeedIndex {
  readonly feeds = new Map<string, { entries: StoredEntry[]; feedDate: number }>();
  infoCalls = 0;

  async import(feed: string, format: FeedFormatName, text: string, importedAt = 1_700_000_000): Promise<void> {
    const entries: StoredEntry[] = [];
    for await (const record of feedFormats[format].parse(Readable.from([Buffer.from(text)]))) entries.push(feedEntryOf(record));
    const newest = Math.max(...entries.map((e) => e.addedAt ?? -Infinity));
    this.feeds.set(feed, { entries, feedDate: Number.isFinite(newest) ? newest : importedAt });
  }

  async findUrl(urlId: string) {
    return [...this.feeds].flatMap(([feed, { entries }]) => entries.filter((e) => e.urlId === urlId).slice(0, 1).map((entry) => ({ feed, entry })));
  }

  async findHost(host: string) {
    return [...this.feeds].flatMap(([feed, { entries }]) => {
      const onHost = entries.filter((e) => e.host === host).sort((a, b) => Number(b.urlId === '') - Number(a.urlId === ''));
      return onHost.length === 0 ? [] : [{ feed, count: onHost.length, entry: onHost[0]! }];
    });
  }

  async info(feed: string) {
    this.infoCalls += 1;
    const f = this.feeds.get(feed);
    return f && { entries: f.entries.length, feedDate: f.feedDate };
  }
}

const input = (url: string): UrlInput => {
  const { canonical, host } = canonicalizeUrl(url);
  return { url, canonicalUrl: canonical, host };
};
const scan = (engine: BlocklistEngine, url: string) => engine.scanUrl(input(url), AbortSignal.timeout(5_000));

const URLHAUS = `# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"1","2024-05-01 11:59:02","http://files.example.net/dl/invoice.zip","online","","malware_download","zip","https://urlhaus.abuse.ch/url/1/","x"
"2","2024-04-30 08:00:00","HTTP://Bücher-Download.example:80/payload.exe","online","","malware_download","exe","https://urlhaus.abuse.ch/url/2/","x"
`;
const PHISHTANK = `[{"url":"https://login.example.org/secure","submission_time":"2024-05-02T10:00:02+00:00","target":"PayPal"}]`;
const PLAIN = '# local\nevil.example\nhttp://phish.example.com/login\n';

async function engines() {
  const index = new MemoryFeedIndex();
  await index.import('URLhaus', 'urlhaus', URLHAUS);
  await index.import('PhishTank', 'phishtank', PHISHTANK);
  await index.import('Team list', 'plain', PLAIN, Date.UTC(2024, 5, 3) / 1000);
  const urlhaus = new BlocklistEngine('URLhaus', index);
  const phishtank = new BlocklistEngine('PhishTank', index);
  const team = new BlocklistEngine('Team list', index);
  await Promise.all([urlhaus.start(), phishtank.start(), team.start()]);
  return { index, urlhaus, phishtank, team };
}

describe('BlocklistEngine', () => {
  it('calls a listed URL malicious in the feed’s words, under any spelling of it', async () => {
    const { urlhaus, phishtank } = await engines();
    assert.deepEqual(await scan(urlhaus, 'http://files.example.net/dl/invoice.zip'), {
      category: 'malicious',
      result: 'malware',
      method: 'blacklist',
      engineUpdate: '20240501',
    });
    assert.equal((await scan(urlhaus, 'http://bücher-download.example/payload.exe#x')).result, 'malware');
    assert.equal((await scan(urlhaus, 'http://xn--bcher-download-gsb.example/payload.exe')).category, 'malicious');
    assert.deepEqual(await scan(phishtank, 'HTTPS://LOGIN.example.org:443/secure'), {
      category: 'malicious',
      result: 'phishing',
      method: 'blacklist',
      engineUpdate: '20240502',
    });
  });

  it('answers unrated for another URL on a host with listed URLs, clean for an unlisted host', async () => {
    const { urlhaus } = await engines();
    assert.deepEqual(await scan(urlhaus, 'http://files.example.net/other.pdf'), { category: 'undetected', result: 'unrated', method: 'blacklist', engineUpdate: '20240501' });
    assert.deepEqual(await scan(urlhaus, 'https://www.google.com/'), { category: 'harmless', result: 'clean', method: 'blacklist', engineUpdate: '20240501' });
  });

  it('calls every URL on a listed host, and on its subdomains, malicious', async () => {
    const { team } = await engines();
    for (const url of ['http://evil.example/', 'https://evil.example/any/path?x=1', 'http://a.b.evil.example/']) {
      assert.deepEqual(await scan(team, url), { category: 'malicious', result: 'malicious', method: 'blacklist', engineUpdate: '20240603' }, url);
    }
    assert.equal((await scan(team, 'http://phish.example.com/login')).category, 'malicious');
    assert.equal((await scan(team, 'http://phish.example.com/')).result, 'unrated');
    assert.equal((await scan(team, 'http://example.com/')).result, 'clean', 'a listed subdomain says nothing of its parent');
    assert.equal((await scan(team, 'http://notevil.example/')).result, 'clean');
  });

  it('judges only by its own feed', async () => {
    const { phishtank, team } = await engines();
    assert.equal((await scan(phishtank, 'http://files.example.net/dl/invoice.zip')).result, 'clean');
    assert.equal((await scan(team, 'https://login.example.org/secure')).result, 'clean');
  });

  it('is not ready before an import, and says how to import', async () => {
    const index = new MemoryFeedIndex();
    const openphish = new BlocklistEngine('OpenPhish', index);
    assert.deepEqual(await openphish.start(), { ready: false, detail: 'no entries imported; run assay feeds import openphish FILE' });
    assert.equal(openphish.status().ready, false);
    assert.equal((await new BlocklistEngine('My list', index).start()).detail, 'no entries imported; run assay feeds import plain FILE');

    await index.import('OpenPhish', 'openphish', 'https://a.example/login\n', Date.UTC(2024, 6, 1) / 1000);
    const readiness = await openphish.refresh();
    assert.deepEqual(readiness, { ready: true, detail: '1 entries, feed of 20240701', engineVersion: '1.0.0', signatureVersion: '20240701', engineUpdate: '20240701' });
    assert.equal(openphish.manifest.name, 'OpenPhish');
    assert.deepEqual(openphish.manifest.accepts.kinds, ['url']);
    assert.equal((await scan(openphish, 'https://a.example/login')).result, 'phishing');
  });

  it('is not ready, without throwing, when the index fails', async () => {
    const index = new MemoryFeedIndex();
    index.info = async () => {
      throw new Error('database is locked');
    };
    assert.deepEqual(await new BlocklistEngine('URLhaus', index).start(), { ready: false, detail: 'feed index unavailable: database is locked' });
  });

  it('reads the feed info once a minute at most, not per scan', async () => {
    const { index, urlhaus } = await engines();
    const before = index.infoCalls;
    for (let i = 0; i < 5; i += 1) await scan(urlhaus, 'https://www.google.com/');
    assert.equal(index.infoCalls, before);
  });

  it('rejects at once on an aborted signal', async () => {
    const { urlhaus } = await engines();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(urlhaus.scanUrl(input('http://files.example.net/dl/invoice.zip'), controller.signal), /stop/);
  });
});

describe('resultForThreat', () => {
  it("maps feed labels to VT's words", () => {
    assert.equal(resultForThreat('malware_download', 'malicious'), 'malware');
    assert.equal(resultForThreat('Phishing', 'malicious'), 'phishing');
    assert.equal(resultForThreat('botnet_cc', 'malicious'), 'malware');
    assert.equal(resultForThreat('Other', 'malicious'), 'malicious');
    assert.equal(resultForThreat('PayPal', 'phishing'), 'phishing');
    assert.equal(resultForThreat(null, 'malware'), 'malware');
  });
});

// The URL engine contract over a feed imported into the real index: a listed URL is malicious.
runUrlEngineContract('URLhaus', async () => new BlocklistEngine('URLhaus', (await engines()).index), {
  url: input('http://files.example.net/dl/invoice.zip'),
  expected: 'malicious',
});
