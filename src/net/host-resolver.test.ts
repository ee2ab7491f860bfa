/** Host resolution: odd IP spellings become canonical literals without DNS; names go to the system or to set servers. */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { startDnsServer } from '../../test/support/dns-server.js';
import { canonicalHost, literalAddress, serverResolver, systemResolver } from './host-resolver.js';

const never = new AbortController().signal;

const literals: Array<[string, string, 4 | 6]> = [
  ['127.0.0.1', '127.0.0.1', 4],
  ['127.1', '127.0.0.1', 4],
  ['2130706433', '127.0.0.1', 4],
  ['0x7f000001', '127.0.0.1', 4],
  ['0177.0.0.1', '127.0.0.1', 4],
  ['0x7f.1', '127.0.0.1', 4],
  ['127.0.0.1.', '127.0.0.1', 4],
  ['%31%32%37.0.0.1', '127.0.0.1', 4],
  ['0xa9fea9fe', '169.254.169.254', 4],
  ['[::1]', '::1', 6],
  ['::1', '::1', 6],
  ['[0:0:0:0:0:ffff:127.0.0.1]', '::ffff:7f00:1', 6],
  ['::127.0.0.1', '::7f00:1', 6],
  ['[FD00:EC2::254]', 'fd00:ec2::254', 6],
];

for (const [host, address, family] of literals) {
  test(`${host} is the literal ${address}`, async () => {
    assert.deepEqual(literalAddress(host), { address, family });
    // Whatever the resolver, a literal is answered as is.
    assert.deepEqual(await systemResolver()(host, never), [{ address, family }]);
    assert.deepEqual(await serverResolver(['127.0.0.1:1'])(host, never), [{ address, family }]);
  });
}

test('names are canonical: lower case, punycode; not literals', () => {
  assert.equal(canonicalHost('WWW.Example.COM'), 'www.example.com');
  assert.equal(canonicalHost('bücher.example'), 'xn--bcher-kva.example');
  assert.equal(literalAddress('www.example.com'), undefined);
});

test('a host that would change meaning inside a URL is not a host', () => {
  for (const bad of ['', 'a b', 'evil.example/@127.0.0.1', 'x@127.0.0.1', 'a\\b', 'h?q', 'h#f', '1.2.3.4.5', 'host:80', '[::1']) {
    assert.throws(() => canonicalHost(bad), /not a host name/, bad);
  }
});

test('systemResolver reads the hosts file for localhost', async () => {
  const addresses = await systemResolver()('localhost', never);
  assert.ok(addresses.some((a) => a.address === '127.0.0.1' || a.address === '::1'), JSON.stringify(addresses));
});

test('serverResolver asks its servers for A and AAAA, and literals never reach them', async () => {
  const dns = await startDnsServer({
    'www.public-looking.example': [
      { type: 'A', value: '127.0.0.1' },
      { type: 'AAAA', value: '::1' },
    ],
    'v4only.example': [{ type: 'A', value: '93.184.216.34' }],
  });
  try {
    const resolve = serverResolver([dns.server]);
    assert.deepEqual(await resolve('WWW.Public-Looking.example', never), [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    assert.deepEqual(await resolve('v4only.example', never), [{ address: '93.184.216.34', family: 4 }]);
    await assert.rejects(resolve('missing.example', never), (error: NodeJS.ErrnoException) => error.code === 'ENOTFOUND');
    const asked = dns.queries.length;
    await resolve('0x7f.1', never);
    assert.equal(dns.queries.length, asked);
  } finally {
    await dns.close();
  }
});

test('serverResolver stops when its signal aborts', async () => {
  // A socket that reads queries and never answers: only the abort can end the lookup quickly.
  const silent = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  try {
    const resolve = serverResolver([`127.0.0.1:${silent.address().port}`], { timeoutMs: 5000, tries: 3 });
    // Aborted once the query is out; only the abort can end it (the resolver's own tries last 15 s), with its reason.
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    silent.once('message', () => controller.abort(reason));
    await assert.rejects(resolve('slow.example', controller.signal), (error: unknown) => error === reason);
  } finally {
    silent.close();
  }
});

test('serverResolver refuses bad server entries at once', () => {
  assert.throws(() => serverResolver(['not-an-ip']));
});
