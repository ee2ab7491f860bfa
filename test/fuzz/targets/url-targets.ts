/** Fuzz targets for URL canonicalisation, URL identifiers and host canonicalisation. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../../../src/core/errors.js';
import { canonicalizeUrl, MAX_URL_BYTES } from '../../../src/core/url-canonical.js';
import { parseUrlIdentifier } from '../../../src/core/url-ids.js';
import { canonicalHost } from '../../../src/net/host-resolver.js';
import { expectOnly, fuzzTarget, mutationsOf, textBytes } from '../support/fuzz-target.js';

/** Pieces that steer the parsers into their odd corners: schemes, authority delimiters, IP forms, escapes, IDNA. */
const FRAGMENTS = [
  'http://', 'HTTPS://', 'ftp://', 'javascript:', 'mailto:', '//', '\\\\', '/', '\\', '@', ':', ':80', ':443', ':0', ':65536', '[', ']',
  '::1', '[::ffff:127.0.0.1]', '0x7f.1', '3232235777', '0177.0.0.1', '1.2.3.4', '%', '%2e', '%2E%2e', '%41', '%zz', '%00', '%%', '..',
  '.', '?', '#', '&', '=', ' ', '\t', 'xn--', 'xn--nxasmq6b', 'ß', 'ſ', 'ﬀ', '。', '．', '０', 'Ⓐ', '\u200d', '\ufffd', 'é', '例え',
  'user:pass@', 'a', 'example.com', 'localhost', 'www.', '-', '_', '~', '"', "'", '<', '>', '^', '`', '{', '}', '|',
];

const urlText: fc.Arbitrary<string> = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6, unit: 'binary' })), { maxLength: 24 }).map((parts) => parts.join('')),
  fc.string({ maxLength: 200, unit: 'binary' }),
);

const SEED_URLS = [
  'https://www.google.com/',
  'http://user:pw@EXAMPLE.com:8080/a/./b/../%7e%41?q=%2f&x=a b#frag',
  'ftp://[2001:db8::1]:21/pub',
  'http://0x7f.1/',
  'xn--nxasmq6b.com/path?',
  '//example.com\\a\\b',
];
const seeds = SEED_URLS.map((u) => Buffer.from(u, 'utf8'));

const assertCanonical = (input: string): void => {
  let result;
  try {
    result = canonicalizeUrl(input);
  } catch (error) {
    expectOnly(error, [AppError], 'canonicalizeUrl');
    assert.equal((error as AppError).code, 'InvalidArgumentError');
    return;
  }
  const { canonical, host, scheme } = result;
  assert.ok(Buffer.byteLength(canonical, 'utf8') <= MAX_URL_BYTES, 'canonical form within the size bound');
  assert.ok(canonical.startsWith(`${scheme}://`), `canonical form starts with its scheme: ${canonical}`);
  assert.ok(['http', 'https', 'ftp'].includes(scheme));
  assert.ok(!/[\u0000-\u0020\u007f#]/.test(canonical), `no controls, spaces or fragment in ${JSON.stringify(canonical)}`);
  assert.ok(/^[\u0021-\u007e]*$/.test(canonical), `canonical form is ASCII: ${JSON.stringify(canonical)}`);
  assert.notEqual(host, '');
  // Idempotence: the canonical form of a canonical URL is itself, with the same host.
  const again = canonicalizeUrl(canonical);
  assert.equal(again.canonical, canonical, `canonical form of ${JSON.stringify(input)} is not stable`);
  assert.equal(again.host, host);
};

export const targets = {
  'url-canonical': fuzzTarget({
    inputs: () => fc.oneof(textBytes(urlText), mutationsOf(seeds)),
    check: (input) => assertCanonical(input.toString('utf8')),
    shortRuns: 1000,
  }),

  'url-identifier': fuzzTarget({
    // Either a URL (round-tripped through its base64url identifier) or raw identifier text.
    inputs: () => fc.oneof(textBytes(urlText).map((b) => Buffer.concat([Buffer.from('U'), b])), textBytes(fc.string({ maxLength: 120 })).map((b) => Buffer.concat([Buffer.from('I'), b]))),
    check: (input) => {
      const mode = input.subarray(0, 1).toString();
      const text = input.subarray(1).toString('utf8');
      if (mode === 'U') {
        let acceptable = true;
        try {
          canonicalizeUrl(text);
        } catch {
          acceptable = false;
        }
        const id = Buffer.from(text, 'utf8').toString('base64url');
        if (acceptable && id !== '') assert.deepEqual(parseUrlIdentifier(id), /^[0-9a-f]{64}$/i.test(id) ? { kind: 'sha256', id: id.toLowerCase() } : { kind: 'url', url: text });
        else assert.throws(() => parseUrlIdentifier(id), (e: unknown) => e instanceof AppError && e.code === 'InvalidArgumentError');
        return;
      }
      try {
        const parsed = parseUrlIdentifier(text);
        if (parsed.kind === 'sha256') assert.match(parsed.id, /^[0-9a-f]{64}$/);
        else assertCanonical(parsed.url);
      } catch (error) {
        expectOnly(error, [AppError], 'parseUrlIdentifier');
        assert.equal((error as AppError).code, 'InvalidArgumentError');
      }
    },
    shortRuns: 500,
  }),

  'host-canonical': fuzzTarget({
    inputs: () => textBytes(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), urlText)),
    check: (input) => {
      const host = input.toString('utf8');
      let name: string;
      try {
        name = canonicalHost(host);
      } catch (error) {
        expectOnly(error, [Error], 'canonicalHost');
        return;
      }
      // What it returns is a host a URL can carry as is, and canonical already.
      assert.ok(!/[\s/\\?#@]/.test(name), `host ${JSON.stringify(name)} holds an authority delimiter`);
      assert.equal(canonicalHost(name), name);
    },
    shortRuns: 500,
  }),
};
