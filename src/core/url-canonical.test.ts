// URL canonicalisation: every rule frozen by example, the VT-matching id of a canonical URL, and the refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from './errors.js';
import { canonicalizeUrl, MAX_URL_BYTES } from './url-canonical.js';

/** [submitted, canonical, host] */
const cases: Array<[string, string, string]> = [
  // Already canonical: byte for byte.
  ['https://www.google.com/', 'https://www.google.com/', 'www.google.com'],
  ['http://example.com/a/b?x=1&y=2', 'http://example.com/a/b?x=1&y=2', 'example.com'],
  ['ftp://ftp.example.org/pub/file.txt', 'ftp://ftp.example.org/pub/file.txt', 'ftp.example.org'],
  // Whitespace around.
  ['  https://www.google.com/ \n', 'https://www.google.com/', 'www.google.com'],
  ['\thttp://example.com/\r\n', 'http://example.com/', 'example.com'],
  // Missing scheme.
  ['example.com', 'http://example.com/', 'example.com'],
  ['www.example.com/path?q=1', 'http://www.example.com/path?q=1', 'www.example.com'],
  ['example.com:8080/x', 'http://example.com:8080/x', 'example.com'],
  ['localhost:8080', 'http://localhost:8080/', 'localhost'],
  ['//example.com/x', 'http://example.com/x', 'example.com'],
  ['192.0.2.1/admin', 'http://192.0.2.1/admin', '192.0.2.1'],
  // Case of scheme and host; the path keeps its case.
  ['HTTP://WWW.Example.COM/Path/To', 'http://www.example.com/Path/To', 'www.example.com'],
  ['HtTpS://EXAMPLE.com', 'https://example.com/', 'example.com'],
  ['http:example.com/x', 'http://example.com/x', 'example.com'],
  // IDNA.
  ['http://bücher.de/', 'http://xn--bcher-kva.de/', 'xn--bcher-kva.de'],
  ['https://ПРИМЕР.рф/', 'https://xn--e1afmkfd.xn--p1ai/', 'xn--e1afmkfd.xn--p1ai'],
  ['http://ＥＸＡＭＰＬＥ.com/', 'http://example.com/', 'example.com'],
  ['http://%65xample.com/', 'http://example.com/', 'example.com'],
  // Default ports dropped, others kept.
  ['http://example.com:80/', 'http://example.com/', 'example.com'],
  ['https://example.com:443/x', 'https://example.com/x', 'example.com'],
  ['ftp://example.com:21/', 'ftp://example.com/', 'example.com'],
  ['https://example.com:80/', 'https://example.com:80/', 'example.com'],
  ['http://example.com:8443/', 'http://example.com:8443/', 'example.com'],
  // Empty path.
  ['http://example.com', 'http://example.com/', 'example.com'],
  ['http://example.com?q=1', 'http://example.com/?q=1', 'example.com'],
  // Escapes in the path: unreserved decoded, the rest uppercased.
  ['http://example.com/%7euser/%41%62%2D%2e%5F', 'http://example.com/~user/Ab-._', 'example.com'],
  ['http://example.com/a%2fb%3f%c3%a4', 'http://example.com/a%2Fb%3F%C3%A4', 'example.com'],
  ['http://example.com/a b/ä', 'http://example.com/a%20b/%C3%A4', 'example.com'],
  ['http://example.com/100%', 'http://example.com/100%', 'example.com'],
  // Dot segments and backslashes (WHATWG).
  ['http://example.com/a/../b/./c', 'http://example.com/b/c', 'example.com'],
  ['http://example.com\\a\\b', 'http://example.com/a/b', 'example.com'],
  ['http:///example.com/x', 'http://example.com/x', 'example.com'],
  // Fragment dropped.
  ['https://example.com/page#section-2', 'https://example.com/page', 'example.com'],
  ['https://example.com/#', 'https://example.com/', 'example.com'],
  // Query kept as written, escapes untouched.
  ['http://example.com/?q=%7e&Z=%2f', 'http://example.com/?q=%7e&Z=%2f', 'example.com'],
  ["http://example.com/?x='y'&b=a+b", "http://example.com/?x='y'&b=a+b", 'example.com'],
  ['http://example.com/?q=a b&u=ü#frag', 'http://example.com/?q=a%20b&u=%C3%BC', 'example.com'],
  ['http://example.com/?', 'http://example.com/?', 'example.com'],
  ['http://example.com/?a=1?b=2#x?y', 'http://example.com/?a=1?b=2', 'example.com'],
  // IPv4 in odd forms; IPv6.
  ['http://0x7f.1/', 'http://127.0.0.1/', '127.0.0.1'],
  ['http://3232235777/', 'http://192.168.1.1/', '192.168.1.1'],
  ['http://0300.0250.01.01/', 'http://192.168.1.1/', '192.168.1.1'],
  ['http://[2001:DB8:0:0::1]:8080/x', 'http://[2001:db8::1]:8080/x', '2001:db8::1'],
  // Userinfo kept (phishing relies on it).
  ['http://www.paypal.com@evil.example/', 'http://www.paypal.com@evil.example/', 'evil.example'],
  ['http://user:pa ss@example.com/', 'http://user:pa%20ss@example.com/', 'example.com'],
];

describe('canonicalizeUrl', () => {
  it(`has a table of ${cases.length} frozen cases`, () => assert.ok(cases.length >= 30));

  for (const [input, canonical, host] of cases) {
    it(`${JSON.stringify(input)} -> ${canonical}`, () => {
      const got = canonicalizeUrl(input);
      assert.equal(got.canonical, canonical);
      assert.equal(got.host, host);
      assert.equal(canonicalizeUrl(got.canonical).canonical, canonical, 'canonical form is a fixed point');
    });
  }

  it('reports the lowercased scheme', () => {
    assert.equal(canonicalizeUrl('HTTPS://a.example/').scheme, 'https');
    assert.equal(canonicalizeUrl('a.example').scheme, 'http');
    assert.equal(canonicalizeUrl('FTP://a.example/').scheme, 'ftp');
  });

  const refusals: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['http://', /no host/],
    ['https:///?q=1', /no host/],
    ['http://#top', /no host/],
    ['http://user@/x', /no host/],
    ['http://:8080/', /no host/],
    ['javascript:alert(1)', /unsupported URL scheme 'javascript:'/],
    ['mailto:someone@example.com', /unsupported URL scheme 'mailto:'/],
    ['file:///etc/passwd', /unsupported URL scheme 'file:'/],
    ['data:text/html,hi', /unsupported URL scheme 'data:'/],
    ['ws://example.com/', /unsupported URL scheme 'ws:'/],
    ['http://exa\u0000mple.com/', /control characters/],
    ['http://example.com/a\tb', /control characters/],
    ['http://example.com/\u007f', /control characters/],
    ['http://example.com/a\nb', /control characters/],
    [`http://example.com/${'a'.repeat(MAX_URL_BYTES)}`, /longer than 8192 bytes/],
    ['http://exa mple.com/', /not a valid URL/],
    ['http://example.com:99999/', /not a valid URL/],
    ['http://[::1/', /not a valid URL/],
  ];
  for (const [input, message] of refusals) {
    it(`refuses ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`, () => {
      assert.throws(
        () => canonicalizeUrl(input),
        (err: unknown) => err instanceof AppError && err.code === 'InvalidArgumentError' && message.test(err.message),
      );
    });
  }

  it('refuses a URL that grows past the limit once encoded', () => {
    const url = `http://example.com/${'ä'.repeat(MAX_URL_BYTES / 2 - 20)}`;
    assert.ok(Buffer.byteLength(url) <= MAX_URL_BYTES);
    assert.throws(() => canonicalizeUrl(url), /once canonicalised/);
  });
});
