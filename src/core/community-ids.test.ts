// Community ids: URL, domain and IP identifiers as paths give them, and comment and vote id formats.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { collectionOf, commentId, domainItemId, ipItemId, urlItemId, voteId } from './community-ids.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** As vt-py and vt-go encode URL ids: unpadded base64url of the URL as typed. */
const vtUrlId = (url: string) => Buffer.from(url).toString('base64url');

describe('urlItemId', () => {
  it('takes 64 lowercase hex as the sha256 itself', () => {
    const id = sha256('https://www.google.com/');
    assert.equal(urlItemId(id), id);
  });

  it('decodes unpadded base64url (padding tolerated) to the sha256 of the canonical URL', () => {
    const url = 'https://www.google.com/';
    assert.equal(urlItemId(vtUrlId(url)), sha256(url));
    assert.equal(urlItemId(`${vtUrlId('http://a.b/')}=`), sha256('http://a.b/'));
    assert.equal(urlItemId(vtUrlId('HTTP://A.B')), sha256('http://a.b/'), 'one URL however it is typed');
    assert.equal(urlItemId(vtUrlId('https://exämple.com/?q=ü')), sha256('https://xn--exmple-cua.com/?q=%C3%BC'));
  });

  it('takes upper-case hex as the same sha256', () => {
    assert.equal(urlItemId('A'.repeat(64)), 'a'.repeat(64));
  });

  it('refuses what is not base64url of a URL-like text', () => {
    for (const bad of ['', 'not base64!', 'a', vtUrlId('   '), vtUrlId('a\nb'), Buffer.from([0xff, 0xfe, 0x00]).toString('base64url')]) {
      assert.equal(urlItemId(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('domainItemId', () => {
  it('lowercases, drops a trailing dot and punycodes unicode names', () => {
    assert.equal(domainItemId('Example.COM'), 'example.com');
    assert.equal(domainItemId('example.com.'), 'example.com');
    assert.equal(domainItemId('münchen.de'), 'xn--mnchen-3ya.de');
    assert.equal(domainItemId('xn--mnchen-3ya.de'), 'xn--mnchen-3ya.de');
    assert.equal(domainItemId('_dmarc.example.com'), '_dmarc.example.com');
    assert.equal(domainItemId('com'), 'com');
  });

  it('refuses IPs, malformed labels and names over the limits', () => {
    const long = `${'a'.repeat(63)}.`.repeat(4) + 'com';
    for (const bad of ['', '1.2.3.4', '1.2.3', '::1', 'a..b', '-a.com', 'a-.com', 'ex ample.com', 'ex%41.com', 'a/b', 'a?b.com', 'a#b.com', 'user@example.com', 'example.com:80', `${'a'.repeat(64)}.com`, long, 'xn--zz', 'a.b.123']) {
      assert.equal(domainItemId(bad), undefined, bad);
    }
  });
});

describe('ipItemId', () => {
  it('takes IPv4 as written and IPv6 in canonical compressed lowercase', () => {
    assert.equal(ipItemId('192.0.2.1'), '192.0.2.1');
    assert.equal(ipItemId('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(ipItemId('::1'), '::1');
  });

  it('refuses non-addresses, leading zeros and zone ids', () => {
    for (const bad of ['', 'example.com', '256.1.1.1', '01.2.3.4', '1.2.3', 'fe80::1%eth0']) assert.equal(ipItemId(bad), undefined, bad);
  });
});

describe('comment and vote ids', () => {
  it('use VT\'s prefixes, the item id, and the random part (votes with a v before it)', () => {
    const file = { type: 'file' as const, id: 'a'.repeat(64) };
    assert.equal(commentId(file, '0123abcd'), `f-${'a'.repeat(64)}-0123abcd`);
    assert.equal(voteId(file, '0123abcd'), `f-${'a'.repeat(64)}-v0123abcd`);
    assert.equal(commentId({ type: 'url', id: 'b'.repeat(64) }, '1'), `u-${'b'.repeat(64)}-1`);
    assert.equal(commentId({ type: 'domain', id: 'example.com' }, '1'), 'd-example.com-1');
    assert.equal(commentId({ type: 'ip_address', id: '2001:db8::1' }, '1'), 'i-2001:db8::1-1');
  });

  it('collectionOf maps types back to collections', () => {
    assert.equal(collectionOf('ip_address'), 'ip_addresses');
    assert.equal(collectionOf('file'), 'files');
  });
});
