// URL ids: VT's id of a canonical URL, both identifier forms clients send, and analysis ids.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from './errors.js';
import { canonicalizeUrl } from './url-canonical.js';
import { parseUrlIdentifier, urlAnalysisId, urlIdOf } from './url-ids.js';

/** vt-py: base64.urlsafe_b64encode(url.encode()).decode().strip("="); vt-go: base64.RawURLEncoding. */
const vtUrlId = (url: string) => Buffer.from(url, 'utf8').toString('base64url');

const isInvalidArgument = (message: RegExp) => (err: unknown) =>
  err instanceof AppError && err.code === 'InvalidArgumentError' && message.test(err.message);

describe('urlIdOf', () => {
  it("gives VT's id for https://www.google.com/", () => {
    const id = urlIdOf(canonicalizeUrl('https://www.google.com/').canonical);
    assert.match(id, /^d0e196a0[0-9a-f]{51}dfc86$/);
  });

  it('gives one id to spellings of one URL', () => {
    const ids = ['HTTPS://WWW.GOOGLE.COM', 'www.google.com:443', 'https://www.google.com/#top'].map((u) =>
      urlIdOf(canonicalizeUrl(u.startsWith('www') ? `https://${u}` : u).canonical),
    );
    assert.deepEqual(new Set(ids), new Set([urlIdOf('https://www.google.com/')]));
  });
});

describe('parseUrlIdentifier', () => {
  it('takes 64 hex digits as a sha256, lowercased', () => {
    const id = urlIdOf('https://www.google.com/');
    assert.deepEqual(parseUrlIdentifier(id), { kind: 'sha256', id });
    assert.deepEqual(parseUrlIdentifier(id.toUpperCase()), { kind: 'sha256', id });
  });

  it("round-trips vt-py's encoding of URLs as typed", () => {
    for (const url of [
      'https://www.google.com/',
      'http://example.com/path?q=1&r=2#frag',
      'HTTP://Example.COM',
      'example.com',
      'https://exämple.com/?q=ü',
      'http://[2001:db8::1]/',
      'http://a.example/?>>>~~~', // base64 with `-` and `_` in it
    ]) {
      const encoded = vtUrlId(url);
      assert.doesNotMatch(encoded, /=/);
      assert.deepEqual(parseUrlIdentifier(encoded), { kind: 'url', url });
    }
  });

  it('tolerates stray padding', () => {
    const url = 'http://a.example/';
    assert.deepEqual(parseUrlIdentifier(`${vtUrlId(url)}==`), { kind: 'url', url });
    assert.deepEqual(parseUrlIdentifier(Buffer.from(url).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')), { kind: 'url', url });
  });

  it('refuses what is not base64url', () => {
    for (const bad of ['', 'not base64!', 'aHR0cDovL2EuZXhhbXBsZS8+', 'a b']) {
      assert.throws(() => parseUrlIdentifier(bad), isInvalidArgument(/neither a sha256 nor base64url/), bad);
    }
    assert.throws(() => parseUrlIdentifier('aHR0cB'), isInvalidArgument(/not valid base64url/));
    assert.throws(() => parseUrlIdentifier(Buffer.from([0xff, 0xfe, 0x41]).toString('base64url')), isInvalidArgument(/UTF-8/));
  });

  it('refuses base64url of something that is not a URL', () => {
    assert.throws(() => parseUrlIdentifier(vtUrlId('javascript:alert(1)')), isInvalidArgument(/not a URL: unsupported URL scheme/));
    assert.throws(() => parseUrlIdentifier(vtUrlId('   ')), isInvalidArgument(/not a URL: URL is empty/));
    assert.throws(() => parseUrlIdentifier(vtUrlId('http://a\nb/')), isInvalidArgument(/not a URL: URL contains control characters/));
    // 64 hex-looking characters are always a sha256, never base64url.
    assert.equal(parseUrlIdentifier('A'.repeat(64)).kind, 'sha256');
  });
});

describe('urlAnalysisId', () => {
  it('is u-<url id>-<unix seconds>, with an optional suffix', () => {
    const id = urlIdOf('https://www.google.com/');
    assert.equal(urlAnalysisId(id, 1_700_000_000), `u-${id}-1700000000`);
    assert.equal(urlAnalysisId(id, 1_700_000_000, 'a1b2c3d4'), `u-${id}-1700000000-a1b2c3d4`);
  });
});
