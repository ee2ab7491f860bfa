// Feed parsers over small files in each real format: quoted commas, comments, malformed and over-long lines, unicode hosts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  detectFeedFormat,
  feedEntryOf,
  feedFormats,
  MAX_LINE_CHARS,
  newParseStats,
  parseOpenPhish,
  parsePhishtankCsv,
  parsePhishtankJson,
  parsePlainList,
  parseUrlhausCsv,
  type FeedRecord,
  type ParseStats,
} from './index.js';

async function* linesFrom(text: string): AsyncGenerator<string> {
  yield* text.split('\n');
}

async function* piecesOf(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function collect(records: AsyncIterable<FeedRecord>): Promise<FeedRecord[]> {
  const out: FeedRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

const stats = (partial: Partial<ParseStats>): ParseStats => ({ ...newParseStats(), ...partial });
const seconds = (iso: string) => Date.parse(iso) / 1000;

const URLHAUS = `################################################################
# abuse.ch URLhaus Database Dump (CSV)                         #
# Last updated: 2024-05-01 12:00:00 (UTC)                      #
#                                                              #
# Terms Of Use: https://urlhaus.abuse.ch/api/                  #
# For questions please contact urlhaus [at] abuse.ch           #
################################################################
#
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
"2841234","2024-05-01 11:59:02","http://198.51.100.23:43512/i","online","2024-05-01 11:59:02","malware_download","32-bit,elf,mips,Mozi","https://urlhaus.abuse.ch/url/2841234/","lrz_urlhaus"
"2841233","2024-05-01 11:58:40","https://files.example.net/dl/invoice,2024.zip","offline","","malware_download","zip","https://urlhaus.abuse.ch/url/2841233/","abuse_ch"
"2841232","2024-05-01 11:50:00","http://bücher-download.example/payload.exe","online","2024-05-01 11:50:00","","exe","https://urlhaus.abuse.ch/url/2841232/","x"
"2841231","2024-05-01 11:45:00","http://bad.example/"x","online","","malware_download","","https://urlhaus.abuse.ch/url/2841231/","x"
"2841230","2024-05-01 11:40:00","not a url","online","","malware_download","","https://urlhaus.abuse.ch/url/2841230/","x"
"2841229","2024-05-01 11:30:00","http://long.example/${'a'.repeat(MAX_LINE_CHARS)}","online","","malware_download","","https://urlhaus.abuse.ch/url/2841229/","x"

`;

describe('parseUrlhausCsv', () => {
  it('reads quoted fields with commas, skips comments, malformed and over-long lines', async () => {
    const s = newParseStats();
    const records = await collect(parseUrlhausCsv(linesFrom(URLHAUS), s));
    assert.deepEqual(records, [
      { url: 'http://198.51.100.23:43512/i', threat: 'malware_download', addedAt: seconds('2024-05-01T11:59:02Z'), hostOnly: false },
      { url: 'https://files.example.net/dl/invoice,2024.zip', threat: 'malware_download', addedAt: seconds('2024-05-01T11:58:40Z'), hostOnly: false },
      { url: 'http://bücher-download.example/payload.exe', threat: null, addedAt: seconds('2024-05-01T11:50:00Z'), hostOnly: false },
    ]);
    assert.deepEqual(s, stats({ records: 3, comments: 9, malformed: 2, tooLong: 1, blank: 2 }));
  });

  it('follows the header comment when columns differ (the older layout without last_online)', async () => {
    const old = '# id,dateadded,url,url_status,threat,tags,urlhaus_link,reporter\n"1","2019-03-01 10:00:00","http://old.example/a.exe","offline","malware_download","exe","https://urlhaus.abuse.ch/url/1/","x"';
    assert.deepEqual(await collect(parseUrlhausCsv(linesFrom(old))), [
      { url: 'http://old.example/a.exe', threat: 'malware_download', addedAt: seconds('2019-03-01T10:00:00Z'), hostOnly: false },
    ]);
  });
});

describe('parseOpenPhish', () => {
  it('takes one URL per line', async () => {
    const s = newParseStats();
    const text = 'https://secure-paypal.example.com/login\nhttp://198.51.100.9/wp-admin/office365/\n\nnot a url at all\r\nhttps://exämple.com/signin\n';
    const records = await collect(parseOpenPhish(linesFrom(text), s));
    assert.deepEqual(
      records.map((r) => r.url),
      ['https://secure-paypal.example.com/login', 'http://198.51.100.9/wp-admin/office365/', 'https://exämple.com/signin'],
    );
    assert.ok(records.every((r) => r.threat === null && r.addedAt === null && !r.hostOnly));
    assert.deepEqual(s, stats({ records: 3, blank: 2, malformed: 1 }));
  });
});

const PHISHTANK_CSV = `phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target
8512345,https://login.example.org/secure,http://www.phishtank.com/phish_detail.php?phish_id=8512345,2024-05-01T10:00:02+00:00,yes,2024-05-01T10:05:00+00:00,yes,PayPal
8512346,"https://example.net/a,b?x=""1""",http://www.phishtank.com/phish_detail.php?phish_id=8512346,2024-05-01T10:01:00+00:00,yes,2024-05-01T10:06:00+00:00,yes,"Bank, Inc."
8512347,"https://example.net/unterminated,http://www.phishtank.com/phish_detail.php?phish_id=8512347,2024-05-01T10:02:00+00:00,yes,,yes,Other
8512348,https://xn--80ak6aa92e.example/вход,http://www.phishtank.com/phish_detail.php?phish_id=8512348,not a date,yes,,yes,Other`;

describe('parsePhishtankCsv', () => {
  it('reads the header, quoted commas and doubled quotes; the target is the threat', async () => {
    const s = newParseStats();
    const records = await collect(parsePhishtankCsv(linesFrom(PHISHTANK_CSV), s));
    assert.deepEqual(records, [
      { url: 'https://login.example.org/secure', threat: 'PayPal', addedAt: seconds('2024-05-01T10:00:02Z'), hostOnly: false },
      { url: 'https://example.net/a,b?x="1"', threat: 'Bank, Inc.', addedAt: seconds('2024-05-01T10:01:00Z'), hostOnly: false },
      { url: 'https://xn--80ak6aa92e.example/вход', threat: 'Other', addedAt: null, hostOnly: false },
    ]);
    assert.deepEqual(s, stats({ records: 3, comments: 1, malformed: 1 }));
  });
});

const detail = { ip_address: '198.51.100.4', cidr_block: '198.51.100.0/24', announcing_network: '64496', rir: 'arin', country: 'US', detail_time: '2024-05-01T10:00:30+00:00' };
const PHISHTANK_JSON = JSON.stringify(
  [
    { phish_id: 1, url: 'https://login.example.org/secure', phish_detail_url: 'http://www.phishtank.com/phish_detail.php?phish_id=1', submission_time: '2024-05-01T10:00:02+00:00', verified: 'yes', online: 'yes', details: [detail], target: 'PayPal' },
    { phish_id: 2, url: 'https://example.net/{a}[b]?q="x"\\y', submission_time: '2024-05-01T10:01:00+00:00', details: [], target: 'We{ird} [name] "quoted"' },
    42,
    { phish_id: 3, submission_time: '2024-05-01T10:02:00+00:00', target: 'no url' },
    { phish_id: 4, url: 'https://big.example/', details: [{ note: 'z'.repeat(MAX_LINE_CHARS) }], target: 'Other' },
    { phish_id: 5, url: 'https://bücher.example/login', submission_time: '2024-05-01T10:03:00+00:00', target: null },
  ],
  null,
  1,
);

describe('parsePhishtankJson', () => {
  const expected: FeedRecord[] = [
    { url: 'https://login.example.org/secure', threat: 'PayPal', addedAt: seconds('2024-05-01T10:00:02Z'), hostOnly: false },
    { url: 'https://example.net/{a}[b]?q="x"\\y', threat: 'We{ird} [name] "quoted"', addedAt: seconds('2024-05-01T10:01:00Z'), hostOnly: false },
    { url: 'https://bücher.example/login', threat: null, addedAt: seconds('2024-05-01T10:03:00Z'), hostOnly: false },
  ];

  it('streams objects out of the array however the text is cut', async () => {
    for (const size of [1, 7, 100, PHISHTANK_JSON.length]) {
      const s = newParseStats();
      assert.deepEqual(await collect(parsePhishtankJson(piecesOf(PHISHTANK_JSON, size), s)), expected, `pieces of ${size}`);
      assert.deepEqual(s, stats({ records: 3, malformed: 2, tooLong: 1 }), `pieces of ${size}`);
    }
  });

  it('reads bare objects one per line, and refuses text that is not JSON', async () => {
    const lines = ['{"url":"https://a.example/","target":"X"}', 'true', '{"url":"https://b.example/"}'].join('\n');
    const s = newParseStats();
    assert.deepEqual((await collect(parsePhishtankJson(piecesOf(lines, 5), s))).map((r) => r.url), ['https://a.example/', 'https://b.example/']);
    assert.deepEqual(s, stats({ records: 2, malformed: 1 }));
    const bad = newParseStats();
    assert.deepEqual(await collect(parsePhishtankJson(piecesOf('phish_id,url\n', 4), bad)), []);
    assert.equal(bad.malformed, 1);
  });

  it('counts a truncated file as one malformed object', async () => {
    const s = newParseStats();
    const cut = PHISHTANK_JSON.slice(0, PHISHTANK_JSON.indexOf('"phish_id": 2') + 5);
    assert.equal((await collect(parsePhishtankJson(piecesOf(cut, 50), s))).length, 1);
    assert.equal(s.malformed, 1);
  });
});

const PLAIN = `# my list, 2024-05-01
evil.example
http://phish.example.net/login   # reported by a user
0.0.0.0 tracker.example.org
127.0.0.1 localhost
*.wild.example
BÜCHER-phish.example.
198.51.100.7
2001:DB8::bad
    # indented comment
not a host!
example.com/path?x=1
ftp://files.example/warez.zip
javascript:alert(1)
`;

describe('parsePlainList', () => {
  it('reads URLs, bare hosts (host-only), hosts-file lines and comments', async () => {
    const s = newParseStats();
    const records = await collect(parsePlainList(linesFrom(PLAIN), s));
    assert.deepEqual(
      records.map((r) => [r.url, r.hostOnly]),
      [
        ['evil.example', true],
        ['http://phish.example.net/login', false],
        ['tracker.example.org', true],
        ['wild.example', true],
        ['xn--bcher-phish-thb.example', true],
        ['198.51.100.7', true],
        ['2001:db8::bad', true],
        ['example.com/path?x=1', false],
        ['ftp://files.example/warez.zip', false],
      ],
    );
    assert.deepEqual(s, stats({ records: 9, comments: 3, malformed: 2, blank: 1 }));
  });
});

describe('feedEntryOf', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  it("gives the store's entry: URL id of the canonical URL and the host, or an empty id for a host", () => {
    assert.deepEqual(feedEntryOf({ url: 'HTTP://Bücher-Download.example:80/payload.exe#x', threat: 'malware_download', addedAt: 1, hostOnly: false }), {
      urlId: sha256('http://xn--bcher-download-gsb.example/payload.exe'),
      host: 'xn--bcher-download-gsb.example',
      threat: 'malware_download',
      addedAt: 1,
    });
    assert.deepEqual(feedEntryOf({ url: 'evil.example', threat: null, addedAt: null, hostOnly: true }), { urlId: '', host: 'evil.example', threat: null, addedAt: null });
  });
});

describe('detectFeedFormat', () => {
  it('recognises each format from its first lines', () => {
    assert.equal(detectFeedFormat(URLHAUS.split('\n').slice(0, 12)), 'urlhaus');
    assert.equal(detectFeedFormat(['"1","2024-05-01 11:59:02","http://a.example/","online","","malware_download","","https://urlhaus.abuse.ch/url/1/","x"']), 'urlhaus');
    assert.equal(detectFeedFormat(PHISHTANK_CSV.split('\n').slice(0, 3)), 'phishtank');
    assert.equal(detectFeedFormat(PHISHTANK_CSV.split('\n').slice(1, 3)), 'phishtank');
    assert.equal(detectFeedFormat(['\uFEFF[{"phish_id":1,"url":"https://a.example/"']), 'phishtank');
    assert.equal(detectFeedFormat(['https://a.example/login', 'http://b.example/']), 'plain', 'OpenPhish cannot be told from a plain list');
    assert.equal(detectFeedFormat(PLAIN.split('\n').slice(0, 5)), 'plain');
    assert.equal(detectFeedFormat(['', '# only a comment', '   ']), undefined);
  });
});

describe('feedFormats', () => {
  const bytes = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);

  it('names the engines and parses byte streams', async () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(feedFormats).map(([name, f]) => [name, [f.engineName, f.defaultResult]])),
      { urlhaus: ['URLhaus', 'malware'], openphish: ['OpenPhish', 'phishing'], phishtank: ['PhishTank', 'phishing'], plain: ['Local blocklist', 'malicious'] },
    );
    const s = newParseStats();
    assert.equal((await collect(feedFormats.urlhaus.parse(bytes(URLHAUS), s))).length, 3);
    assert.equal(s.tooLong, 1);
    assert.equal((await collect(feedFormats.openphish.parse(bytes('https://a.example/\n')))).length, 1);
    assert.equal((await collect(feedFormats.plain.parse(bytes(PLAIN)))).length, 9);
  });

  it('reads PhishTank as JSON or CSV, whichever the file is', async () => {
    const chunked = (text: string) => Readable.from([Buffer.from(' '), Buffer.from('\n\t'), Buffer.from(text, 'utf8')]);
    assert.deepEqual((await collect(feedFormats.phishtank.parse(bytes(PHISHTANK_JSON)))).map((r) => r.threat), ['PayPal', 'We{ird} [name] "quoted"', null]);
    assert.deepEqual((await collect(feedFormats.phishtank.parse(bytes(PHISHTANK_CSV)))).map((r) => r.threat), ['PayPal', 'Bank, Inc.', 'Other']);
    // Leading white space arriving in its own small chunks before the first real character.
    assert.equal((await collect(feedFormats.phishtank.parse(chunked(PHISHTANK_JSON)))).length, 3);
  });
});
