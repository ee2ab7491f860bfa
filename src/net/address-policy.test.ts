/** Which addresses the fetcher may reach: public ones yes; internal, special and disguised ones no, unless allow-listed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressPolicy, parseAllowList } from './address-policy.js';

const ALLOWED = 'allowed';

/** Address, then `allowed` or the reason the refusal must start with. */
const table: Array<[string, string]> = [
  ['8.8.8.8', ALLOWED],
  ['1.1.1.1', ALLOWED],
  ['9.9.9.9', ALLOWED],
  ['93.184.216.34', ALLOWED],
  ['11.0.0.1', ALLOWED],
  ['100.63.255.255', ALLOWED],
  ['100.128.0.0', ALLOWED],
  ['172.15.255.255', ALLOWED],
  ['172.32.0.0', ALLOWED],
  ['192.167.255.255', ALLOWED],
  ['192.169.0.1', ALLOWED],
  ['169.253.255.255', ALLOWED],
  ['198.17.255.255', ALLOWED],
  ['198.20.0.0', ALLOWED],
  ['192.0.1.255', ALLOWED],
  ['223.255.255.255', ALLOWED],
  ['2606:4700:4700::1111', ALLOWED],
  ['2001:4860:4860::8888', ALLOWED],
  ['2a00:1450:4001:81c::200e', ALLOWED],
  ['::ffff:8.8.8.8', ALLOWED],
  ['::ffff:808:808', ALLOWED],
  ['64:ff9b::808:808', ALLOWED],
  ['2002:808:808::1', ALLOWED],
  // Teredo server 65.54.227.120, client 8.8.8.8 (stored with every bit flipped).
  ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', ALLOWED],

  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.0.1', 'private'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['169.254.0.1', 'link-local'],
  ['169.254.169.254', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['254.1.1.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['192.0.0.8', 'ietf-protocol-assignments'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fd00:ec2::254', 'metadata'],
  ['fc00::1', 'unique-local'],
  ['fdff::1', 'unique-local'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['100::1', 'discard'],
  ['2001:2::1', 'benchmarking'],
  ['5f00::1', 'reserved'],
  ['4000::1', 'reserved'],
  ['::ffff:127.0.0.1', 'loopback via ipv4-mapped 127.0.0.1'],
  ['::ffff:7f00:1', 'loopback via ipv4-mapped 127.0.0.1'],
  ['0:0:0:0:0:ffff:127.0.0.1', 'loopback via ipv4-mapped 127.0.0.1'],
  ['::ffff:a9fe:a9fe', 'metadata via ipv4-mapped 169.254.169.254'],
  ['::ffff:10.1.2.3', 'private via ipv4-mapped 10.1.2.3'],
  ['::127.0.0.1', 'loopback via ipv4-compatible 127.0.0.1'],
  ['::a00:1', 'private via ipv4-compatible 10.0.0.1'],
  ['::ffff:0:7f00:1', 'loopback via ipv4-translated 127.0.0.1'],
  ['64:ff9b::7f00:1', 'loopback via nat64 127.0.0.1'],
  ['64:ff9b::a9fe:a9fe', 'metadata via nat64 169.254.169.254'],
  ['64:ff9b:1:a00:0:100::', 'private via nat64 10.0.0.1'],
  ['2002:7f00:1::', 'loopback via 6to4 127.0.0.1'],
  ['2002:c0a8:101::1', 'private via 6to4 192.168.1.1'],
  ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback via teredo 127.0.0.1'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'documentation via teredo 192.0.2.45'],
  ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'private via teredo 10.0.0.1'],
  // Odd spellings are the URL parser's to canonicalise; the policy refuses anything but plain text forms.
  ['0177.0.0.1', 'not an IP address'],
  ['2130706433', 'not an IP address'],
  ['127.1', 'not an IP address'],
  ['localhost', 'not an IP address'],
  ['[::1]', 'not an IP address'],
  ['', 'not an IP address'],
];

const policy = new AddressPolicy();

for (const [address, expected] of table) {
  test(`${address || '(empty)'} is ${expected}`, () => {
    const decision = policy.check(address);
    if (expected === ALLOWED) {
      assert.deepEqual(decision, { allowed: true });
    } else {
      assert.equal(decision.allowed, false);
      assert.ok(!decision.allowed && decision.reason.startsWith(expected), `reason was: ${!decision.allowed && decision.reason}`);
    }
  });
}

test('the table covers at least 60 addresses', () => {
  assert.ok(table.length >= 60, `${table.length} rows`);
});

test('an allow-list lifts the refusal only inside its networks', () => {
  const lab = new AddressPolicy({ allow: ['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8'] });
  for (const inside of ['127.0.0.1', '::ffff:127.0.0.1', '10.1.2.3', '10.255.255.255', 'fd12::1']) {
    assert.deepEqual(lab.check(inside), { allowed: true }, inside);
  }
  for (const [outside, reason] of [
    ['127.0.0.2', 'loopback'],
    ['::1', 'loopback'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['fc00::1', 'unique-local'],
    ['64:ff9b::7f00:1', 'loopback via nat64 127.0.0.1'],
  ]) {
    assert.deepEqual(lab.check(outside!), { allowed: false, reason }, outside);
  }
  assert.deepEqual(lab.check('8.8.8.8'), { allowed: true });
});

test('parseAllowList reads comma-separated CIDRs and bare addresses', () => {
  assert.deepEqual(parseAllowList(' 10.0.0.0/8, 127.0.0.1 ,fd00::/8,::1,'), ['10.0.0.0/8', '127.0.0.1/32', 'fd00::/8', '::1/128']);
  assert.deepEqual(parseAllowList('::127.0.0.1/128'), ['::7f00:1/128']);
  assert.deepEqual(parseAllowList(''), []);
  assert.deepEqual(parseAllowList('  '), []);
});

test('parseAllowList and the policy reject bad networks by name', () => {
  for (const bad of ['10.0.0.0/33', '10.0.0/8', 'banana', '0x7f.1/32', '::1/129', '10.0.0.0/8/8', '127.1', 'fe80::1%eth0/64']) {
    assert.throws(() => parseAllowList(`10.0.0.0/8,${bad}`), (error: Error) => error.message.includes(`"${bad}"`), bad);
  }
  assert.throws(() => new AddressPolicy({ allow: ['192.168.1.0/24', 'nope'] }), /"nope"/);
});
