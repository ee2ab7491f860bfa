// URL heuristics: ordinary sites stay clean or unrated, phishing-shaped URLs and pages get named signals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FetchedPage, UrlInput } from '../../core/plugin.js';
import { canonicalizeUrl } from '../../core/url-canonical.js';
import { assessUrl, compileLists, createUrlHeuristicsEngine, DEFAULT_LISTS_DATE, PHISHED_BRANDS, URL_HEURISTICS_NAME, URL_SHORTENERS } from './index.js';
import { runUrlEngineContract } from '../contract.case.test.js';

const lists = compileLists();

function inputFor(url: string, page?: { body: string; finalUrl?: string }): UrlInput {
  const { canonical, host } = canonicalizeUrl(url);
  const fetched: FetchedPage | undefined = page && {
    finalUrl: page.finalUrl ?? canonical,
    statusCode: 200,
    headers: { 'content-type': 'text/html' },
    bodyText: page.body,
  };
  return { url, canonicalUrl: canonical, host, ...(fetched ? { page: fetched } : {}) };
}

const signalNames = (url: string, page?: { body: string; finalUrl?: string }) =>
  assessUrl(inputFor(url, page), lists).signals.map((s) => s.name).sort();

const loginPage = (action: string) =>
  `<html><body><form method="post" action="${action}"><input type="email" name="u"><input type="password" name="p"><button>Sign in</button></form></body></html>`;

const ordinary: Array<string | [string, { body: string; finalUrl?: string }]> = [
  'https://www.google.com/',
  'https://en.wikipedia.org/wiki/Main_Page',
  'https://github.com/nodejs/node',
  'https://www.paypal.com/signin',
  'https://login.microsoftonline.com/',
  'https://mail.google.com/mail/u/0/',
  'https://www.bbc.co.uk/news',
  'https://www.amazon.co.uk/gp/cart/view.html',
  'https://aws.amazon.com/',
  'https://outlook.live.com/mail/0/',
  'https://appleid.apple.com/sign-in',
  'https://secure.chase.com/web/auth/dashboard',
  'https://www.netflix.com/login',
  'https://accounts.google.com/signin/v2/identifier',
  'https://www.instagram.com/accounts/login/',
  'https://contoso.sharepoint.com/sites/finance',
  'https://www.apple.com.cn/',
  'https://steamcommunity.com/login/home/',
  'https://www.americanexpress.com/en-us/account/login',
  'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
  'https://www.purchase.example.com/',
  'https://apple.stackexchange.com/questions/1/how-to-update-ios',
  'https://github.com/microsoft/vscode',
  'https://www.nytimes.com/2024/01/01/technology/apple-google-antitrust.html',
  'https://bücher.de/',
  'https://example.com:8443/admin',
  'https://t.co/AbCdEf',
  ['https://www.paypal.com/signin', { body: loginPage('/signin') }],
  ['https://github.com/login', { body: loginPage('/session') }],
  ['https://www.example.com/account', { body: loginPage('https://auth.example.com/login') }],
  [
    'https://news.example.org/',
    {
      body:
        '<a href="javascript:void(0)" onclick="menu()">Menu</a><a href="javascript:;">x</a><a href="javascript:showPanel()">p</a>' +
        '<img src="data:image/png;base64,iVBORw0KGgo="><a href="data:image/svg+xml;base64,PHN2Zz4=">logo</a>' +
        '<meta http-equiv="refresh" content="300; url=/">',
    },
  ],
];

describe('URL heuristics on ordinary sites', () => {
  it(`has ${ordinary.length} ordinary cases`, () => assert.ok(ordinary.length >= 20));
  for (const c of ordinary) {
    const [url, page] = typeof c === 'string' ? [c, undefined] : c;
    it(`${url}${page ? ' (with page)' : ''} is neither suspicious nor malicious`, () => {
      const { verdict, signals } = assessUrl(inputFor(url, page), lists);
      assert.ok(['harmless', 'undetected'].includes(verdict.category), `${verdict.category}: ${verdict.result}`);
      assert.equal(verdict.result, signals.length === 0 ? 'clean' : 'unrated');
    });
  }

  it('calls the best-known sites clean, with no signal at all', () => {
    for (const url of ['https://www.google.com/', 'https://www.paypal.com/signin', 'https://login.microsoftonline.com/', 'https://www.bbc.co.uk/news']) {
      assert.deepEqual(assessUrl(inputFor(url), lists).verdict, { category: 'harmless', result: 'clean' }, url);
    }
  });
});

const offsiteLogin = loginPage('https://collector.example.net/gate.php');

const phishy: Array<{ url: string; page?: { body: string; finalUrl?: string }; category: string; signals: string[] }> = [
  { url: 'http://paypal.com.secure-login.example.tk/', category: 'suspicious', signals: ['brand-in-subdomain:paypal', 'suspicious-tld:tk'] },
  { url: 'http://xn--pypal-4ve.com/', category: 'malicious', signals: ['confusable-brand:paypal', 'mixed-script-host', 'punycode-host'] },
  { url: 'http://www.gооgle.com/', category: 'malicious', signals: ['confusable-brand:google', 'mixed-script-host', 'punycode-host'] },
  {
    url: 'http://198.51.100.7/paypal/login.php',
    page: { body: offsiteLogin },
    category: 'malicious',
    signals: ['brand-in-path:paypal', 'ip-literal-host', 'ip-login-form', 'offsite-password-form'],
  },
  { url: 'http://rnicrosoft-support.top/', category: 'suspicious', signals: ['confusable-brand:microsoft', 'suspicious-tld:top'] },
  { url: 'https://bit.ly/abc', category: 'undetected', signals: ['shortener'] },
  { url: 'http://paypa1.com/', category: 'suspicious', signals: ['confusable-brand:paypal'] },
  { url: 'http://www.paypal.com@203.0.113.9/', category: 'suspicious', signals: ['ip-literal-host', 'userinfo-host'] },
  { url: 'http://apple-id-verify.xyz/', category: 'suspicious', signals: ['brand-in-domain:apple', 'suspicious-tld:xyz'] },
  { url: 'http://secure.netflix-billing-update.com/', category: 'suspicious', signals: ['brand-in-domain:netflix'] },
  { url: 'http://login.micros0ft.com.account-verify.zip/', category: 'suspicious', signals: ['confusable-brand:microsoft', 'suspicious-tld:zip'] },
  { url: 'http://login-microsoftonline.com.example.ml/', category: 'suspicious', signals: ['brand-in-subdomain:microsoft', 'suspicious-tld:ml'] },
  { url: 'http://paypal.com-account.info/', category: 'suspicious', signals: ['brand-in-subdomain:paypal'] },
  { url: 'http://www.dhl.co.uk.tracking-parcel.ru/', category: 'suspicious', signals: ['brand-in-subdomain:dhl'] },
  { url: 'http://a.b.c.d.e.f.example.top:8080/x', category: 'suspicious', signals: ['deep-subdomains', 'non-standard-port:8080', 'suspicious-tld:top'] },
  { url: 'http://198.51.100.7:8080/', category: 'undetected', signals: ['ip-literal-host', 'non-standard-port:8080'] },
  { url: 'https://paypal.github.io/', page: { body: offsiteLogin }, category: 'malicious', signals: ['brand-in-subdomain:paypal', 'offsite-password-form'] },
  { url: 'http://free-gift.example.com/', page: { body: offsiteLogin }, category: 'suspicious', signals: ['offsite-password-form'] },
  {
    url: 'http://docs-share.example.com/view',
    page: { body: '<meta http-equiv="Refresh" content="0;URL=\'data:text/html;base64,PHNjcmlwdD4=\'">' },
    category: 'suspicious',
    signals: ['data-url'],
  },
  {
    url: 'http://invoice.example.com/',
    page: { body: `<iframe src="javascript:eval(atob('YWxlcnQoMSk='))"></iframe><script>window.location.href = "data:text/html,<h1>x";</script>` },
    category: 'malicious',
    signals: ['data-url', 'javascript-url'],
  },
  {
    url: 'http://invoice.example.com/',
    page: { body: `<a href="&#106;avascript:document.write(unescape('%3C'))">open</a>` },
    category: 'suspicious',
    signals: ['javascript-url'],
  },
  { url: 'http://moved.example.com/', page: { body: '<meta http-equiv="refresh" content="0; url=https://elsewhere.example.net/">' }, category: 'undetected', signals: ['meta-refresh-offsite'] },
  {
    url: 'https://bit.ly/abc',
    page: { body: '<p>hello</p>', finalUrl: 'http://paypal.com.secure-login.example.tk/' },
    category: 'suspicious',
    signals: ['brand-in-subdomain:paypal', 'shortener', 'suspicious-tld:tk'],
  },
  { url: `http://example.com/${'a'.repeat(200)}`, category: 'undetected', signals: ['long-url'] },
  { url: 'http://admin@example.com/', category: 'undetected', signals: ['userinfo'] },
];

describe('URL heuristics on phishing-shaped URLs', () => {
  it(`has ${phishy.length} cases`, () => assert.ok(phishy.length >= 15));
  for (const c of phishy) {
    it(`${c.url.slice(0, 80)}${c.page ? ' (with page)' : ''} -> ${c.category}: ${c.signals.join(', ')}`, () => {
      const { verdict } = assessUrl(inputFor(c.url, c.page), lists);
      assert.deepEqual(signalNames(c.url, c.page), [...c.signals].sort());
      assert.equal(verdict.category, c.category, verdict.result);
      if (c.category === 'undetected') assert.equal(verdict.result, 'unrated');
      else assert.deepEqual(verdict.result.split(', ').sort(), [...c.signals].sort());
    });
  }

  it('names strong signals first in the result', () => {
    const { verdict } = assessUrl(inputFor('http://paypal.com.secure-login.example.tk/'), lists);
    assert.equal(verdict.result, 'brand-in-subdomain:paypal, suspicious-tld:tk');
  });
});

describe('URL heuristics engine', () => {
  it('declares itself and its lists date', async () => {
    const engine = createUrlHeuristicsEngine();
    assert.equal(engine.manifest.name, URL_HEURISTICS_NAME);
    assert.deepEqual(engine.manifest.accepts.kinds, ['url']);
    assert.equal(engine.manifest.needsNetwork, false);
    const readiness = await engine.start();
    assert.equal(readiness.ready, true);
    assert.equal(readiness.engineUpdate, DEFAULT_LISTS_DATE);
    assert.match(DEFAULT_LISTS_DATE, /^20\d{6}$/);
    assert.ok(Object.keys(PHISHED_BRANDS).length >= 40 && URL_SHORTENERS.length >= 30);
    await engine.close();
  });

  it('answers a UrlVerdict with method and engine_update', async () => {
    const engine = createUrlHeuristicsEngine();
    await engine.start();
    assert.deepEqual(await engine.scanUrl(inputFor('http://paypa1.com/'), AbortSignal.timeout(5_000)), {
      category: 'suspicious',
      result: 'confusable-brand:paypal',
      method: 'heuristic',
      engineUpdate: DEFAULT_LISTS_DATE,
    });
    assert.equal((await engine.scanUrl(inputFor('https://www.google.com/'), AbortSignal.timeout(5_000))).result, 'clean');
  });

  it('uses configured lists instead of the defaults', async () => {
    const engine = createUrlHeuristicsEngine({ brands: { acme: ['acme-corp.com'] }, shorteners: ['sho.rt'], suspiciousTlds: ['.test'] });
    const scan = (url: string) => engine.scanUrl(inputFor(url), AbortSignal.timeout(5_000));
    assert.equal((await scan('http://acme.login.example.com/')).result, 'brand-in-subdomain:acme');
    assert.equal((await scan('https://acme-corp.com/login')).result, 'clean');
    assert.equal((await scan('https://acme.com/')).result, 'clean', 'the brand word as the name is the brand');
    assert.equal((await scan('http://paypa1.com/')).result, 'clean', 'default brands are replaced');
    assert.equal((await scan('http://sho.rt/x')).result, 'unrated');
    assert.equal((await scan('http://bit.ly/x')).result, 'clean');
    assert.equal((await scan('http://a.b.c.d.e.f.example.test:81/')).category, 'suspicious');
  });

  it('rejects at once on an aborted signal', async () => {
    const engine = createUrlHeuristicsEngine();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(engine.scanUrl(inputFor('https://www.google.com/'), controller.signal), /stop/);
  });
});

runUrlEngineContract(URL_HEURISTICS_NAME, () => createUrlHeuristicsEngine(), {
  url: { url: 'https://www.wikipedia.org/', canonicalUrl: canonicalizeUrl('https://www.wikipedia.org/').canonical, host: 'www.wikipedia.org' },
  expected: 'harmless',
});
