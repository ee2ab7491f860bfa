/** The safe fetcher: internal targets in any disguise are refused before a byte is sent; allowed fetches are bounded. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AddressPolicy } from './address-policy.js';
import { createConnectGuard } from './connect-guard.js';
import { canonicalHost, literalAddress, systemResolver, type HostResolver, type ResolvedAddress } from './host-resolver.js';
import { SafeFetcher, type FetchOutcome } from './safe-fetcher.js';

interface CountingServer {
  port: number;
  requests: Array<{ url: string; host: string }>;
  close(): Promise<void>;
}

/**
 * Listens on every local address (`::`, dual stack) where it can, so a request slipping through as 127.0.0.1, ::1,
 * 0.0.0.0 or ::ffff:127.0.0.1 would be counted.
 */
async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('hello')): Promise<CountingServer> {
  const requests: CountingServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', host: req.headers.host ?? '' });
    handler(req, res);
  });
  const listen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host, ipv6Only: false }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen('::').catch(() => listen('127.0.0.1'));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });

/** Literals and localhost as the system sees them; a few test names mapped by hand; nothing reaches outside DNS. */
function testResolver(names: Record<string, ResolvedAddress[]>): HostResolver {
  const system = systemResolver();
  return async (host, signal) => {
    const name = canonicalHost(host);
    const mapped = names[name];
    if (mapped) return mapped;
    if (literalAddress(name) || name === 'localhost') return system(name, signal);
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

const resolver = testResolver({
  'www.public-looking.example': [v4('127.0.0.1')],
  'mixed.example': [v4('93.184.216.34'), v4('127.0.0.1')],
  'www.allowed.example': [v4('127.0.0.1')],
});

function assertFailed(outcome: FetchOutcome, reason: string): asserts outcome is Extract<FetchOutcome, { ok: false }> {
  assert.equal(outcome.ok, false, `expected ${reason}, got a ${outcome.ok && outcome.statusCode} response`);
  assert.equal(outcome.ok === false && outcome.reason, reason, outcome.ok === false ? outcome.message : '');
}

function assertFetched(outcome: FetchOutcome): asserts outcome is Extract<FetchOutcome, { ok: true }> {
  assert.equal(outcome.ok, true, outcome.ok === false ? `${outcome.reason}: ${outcome.message}` : '');
}

// --- Refusals: the target server must never see a request. -------------------------------------------------------

let target: CountingServer;
const strict = new SafeFetcher({ guard: createConnectGuard(resolver, new AddressPolicy()), timeoutMs: 5000 });

before(async () => {
  target = await startServer();
});
after(async () => {
  await target.close();
});

/** `PORT` stands for the counting server's port. */
const refusedUrls: Array<[string, string]> = [
  ['http://127.0.0.1:PORT/', 'address-refused'],
  ['http://localhost:PORT/', 'address-refused'],
  ['HTTP://LOCALHOST:PORT/', 'address-refused'],
  ['http://127.1:PORT/', 'address-refused'],
  ['http://2130706433:PORT/', 'address-refused'],
  ['http://0x7f000001:PORT/', 'address-refused'],
  ['http://0177.0.0.1:PORT/', 'address-refused'],
  ['http://0x7f.0.0.1:PORT/', 'address-refused'],
  ['http://127.0.0.1.:PORT/', 'address-refused'],
  ['http://[::1]:PORT/', 'address-refused'],
  ['http://[::ffff:127.0.0.1]:PORT/', 'address-refused'],
  ['http://[::ffff:7f00:1]:PORT/', 'address-refused'],
  ['http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/', 'address-refused'],
  ['http://[::127.0.0.1]:PORT/', 'address-refused'],
  ['http://[64:ff9b::7f00:1]:PORT/', 'address-refused'],
  ['http://[2002:7f00:1::]:PORT/', 'address-refused'],
  ['http://0.0.0.0:PORT/', 'address-refused'],
  ['http://[::]:PORT/', 'address-refused'],
  ['http://10.0.0.1:PORT/', 'address-refused'],
  ['http://172.16.0.1/', 'address-refused'],
  ['http://192.168.1.1/', 'address-refused'],
  ['http://100.64.0.1/', 'address-refused'],
  ['http://169.254.169.254/latest/meta-data/', 'address-refused'],
  ['http://2852039166/latest/meta-data/', 'address-refused'],
  ['http://0xa9fea9fe/latest/meta-data/', 'address-refused'],
  ['http://[::ffff:a9fe:a9fe]/latest/meta-data/', 'address-refused'],
  ['http://100.100.100.200/latest/meta-data/', 'address-refused'],
  ['http://[fd00:ec2::254]/latest/meta-data/', 'address-refused'],
  ['http://[fe80::1]:PORT/', 'address-refused'],
  ['http://[fc00::1]/', 'address-refused'],
  ['http://224.0.0.1/', 'address-refused'],
  ['http://255.255.255.255/', 'address-refused'],
  ['http://192.0.2.1/', 'address-refused'],
  ['http://198.18.0.1/', 'address-refused'],
  ['http://8.8.8.8@127.0.0.1:PORT/', 'address-refused'],
  ['http://127.0.0.1:PORT#@8.8.8.8/', 'address-refused'],
  ['http:\\\\127.0.0.1:PORT', 'address-refused'],
  ['http://%31%32%37.0.0.1:PORT/', 'address-refused'],
  ['https://127.0.0.1:PORT/', 'address-refused'],
  ['http://www.public-looking.example:PORT/', 'address-refused'],
  ['http://mixed.example:PORT/', 'address-refused'],
  ['http://[fe80::1%25eth0]:PORT/', 'invalid-url'],
  ['file:///etc/passwd', 'unsupported-scheme'],
  ['ftp://127.0.0.1:PORT/', 'unsupported-scheme'],
  ['gopher://127.0.0.1:PORT/_GET%20/', 'unsupported-scheme'],
  ['data:text/html,<title>hi</title>', 'unsupported-scheme'],
  ['javascript:fetch("http://127.0.0.1/")', 'unsupported-scheme'],
];

for (const [template, reason] of refusedUrls) {
  test(`${template} is refused (${reason})`, async () => {
    const outcome = await strict.fetch(template.replaceAll('PORT', String(target.port)));
    assertFailed(outcome, reason);
    assert.deepEqual(outcome.chain, []);
  });
}

test('refusals say which address and which range', async () => {
  const outcome = await strict.fetch(`http://www.public-looking.example:${target.port}/`);
  assertFailed(outcome, 'address-refused');
  assert.equal(outcome.message, 'refused: www.public-looking.example resolves to 127.0.0.1 (loopback)');
  const mapped = await strict.fetch(`http://[::ffff:127.0.0.1]:${target.port}/`);
  assertFailed(mapped, 'address-refused');
  assert.match(mapped.message, /loopback via ipv4-mapped 127\.0\.0\.1/);
});

test('after every variant the target has seen no request, though it is reachable when allowed', async () => {
  assert.ok(refusedUrls.length >= 40, `${refusedUrls.length} variants`);
  assert.deepEqual(target.requests, []);
  const lab = new SafeFetcher({ guard: createConnectGuard(resolver, new AddressPolicy({ allow: ['127.0.0.1/32'] })) });
  assertFetched(await lab.fetch(`http://127.0.0.1:${target.port}/`));
  assert.equal(target.requests.length, 1);
});

// --- Allowed by a lab allow-list: redirects re-checked, every bound enforced. ------------------------------------

const labPolicy = new AddressPolicy({ allow: ['127.0.0.1/32'] });
const labFetcher = (options: Partial<ConstructorParameters<typeof SafeFetcher>[0]> = {}) =>
  new SafeFetcher({ guard: createConnectGuard(resolver, labPolicy), timeoutMs: 5000, ...options });

let site: CountingServer;
let bystander: CountingServer;
const LANDING = '<html><head><title>Landing page</title></head><body>welcome</body></html>';

before(async () => {
  bystander = await startServer();
  site = await startServer((req, res) => {
    const redirect = (status: number, location: string) => res.writeHead(status, { location }).end();
    switch (req.url) {
      case '/start':
        return redirect(301, '/two');
      case '/two':
        return redirect(302, `http://127.0.0.1:${site.port}/three`);
      case '/three':
        return redirect(307, '/page?from=three');
      case '/page?from=three':
      case '/page':
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LANDING);
      case '/to-metadata':
        return redirect(302, 'http://169.254.169.254/latest/meta-data/');
      case '/to-ipv6-loopback':
        return redirect(302, `http://[::1]:${bystander.port}/`);
      case '/to-file':
        return redirect(302, 'file:///etc/passwd');
      case '/loop':
        return redirect(302, '/loop');
      case '/big':
        return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(1024 * 1024, 'x'));
      case '/huge-headers':
        return res.writeHead(200, { 'x-big': 'a'.repeat(40_000) }).end('never read');
      case '/hang':
        return; // accepts the request and never answers
      default:
        return res.writeHead(404).end('not found');
    }
  });
});
after(async () => {
  await site.close();
  await bystander.close();
});

test('a 301/302/307 chain is followed to the page, recording every hop', async () => {
  const outcome = await labFetcher().fetch(`http://www.allowed.example:${site.port}/start#fragment`);
  assertFetched(outcome);
  const base = `http://127.0.0.1:${site.port}`;
  assert.equal(outcome.finalUrl, `${base}/page?from=three`);
  assert.equal(outcome.statusCode, 200);
  assert.deepEqual(outcome.chain, [
    { url: `http://www.allowed.example:${site.port}/start`, statusCode: 301, address: '127.0.0.1', location: '/two' },
    { url: `http://www.allowed.example:${site.port}/two`, statusCode: 302, address: '127.0.0.1', location: `${base}/three` },
    { url: `${base}/three`, statusCode: 307, address: '127.0.0.1', location: '/page?from=three' },
    { url: `${base}/page?from=three`, statusCode: 200, address: '127.0.0.1' },
  ]);
  assert.equal(outcome.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(outcome.headers['set-cookie'], 'a=1, b=2');
  assert.match(outcome.body.toString('utf8'), /<title>Landing page<\/title>/);
  assert.equal(outcome.truncated, false);
  assert.deepEqual(outcome.resolutions, [{ hostName: 'www.allowed.example', ipAddress: '127.0.0.1' }]);
  // The name, not the address, goes in the Host header; the fragment never leaves.
  assert.equal(site.requests.at(-4)?.host, `www.allowed.example:${site.port}`);
  assert.equal(site.requests.at(-4)?.url, '/start');
});

test('maxRedirects stops the chain without another request', async () => {
  const before = site.requests.length;
  const outcome = await labFetcher({ maxRedirects: 2 }).fetch(`http://127.0.0.1:${site.port}/start`);
  assertFailed(outcome, 'too-many-redirects');
  assert.deepEqual(outcome.chain.map((hop) => hop.statusCode), [301, 302, 307]);
  assert.equal(site.requests.length - before, 3);
  assertFailed(await labFetcher().fetch(`http://127.0.0.1:${site.port}/loop`), 'too-many-redirects');
});

test('a redirect to the metadata service is refused at that hop', async () => {
  const outcome = await labFetcher().fetch(`http://127.0.0.1:${site.port}/to-metadata`);
  assertFailed(outcome, 'address-refused');
  assert.match(outcome.message, /169\.254\.169\.254 \(metadata\)/);
  assert.deepEqual(outcome.chain, [
    { url: `http://127.0.0.1:${site.port}/to-metadata`, statusCode: 302, address: '127.0.0.1', location: 'http://169.254.169.254/latest/meta-data/' },
  ]);
});

test('a redirect to [::1] is refused and that server sees nothing', async () => {
  const outcome = await labFetcher().fetch(`http://127.0.0.1:${site.port}/to-ipv6-loopback`);
  assertFailed(outcome, 'address-refused');
  assert.equal(outcome.chain.length, 1);
  assert.deepEqual(bystander.requests, []);
});

test('a redirect to a non-http scheme is refused', async () => {
  const outcome = await labFetcher().fetch(`http://127.0.0.1:${site.port}/to-file`);
  assertFailed(outcome, 'unsupported-scheme');
  assert.equal(outcome.chain.length, 1);
});

test('a body over maxBodyBytes is cut there and marked truncated', async () => {
  const outcome = await labFetcher({ maxBodyBytes: 1000 }).fetch(`http://127.0.0.1:${site.port}/big`);
  assertFetched(outcome);
  assert.equal(outcome.body.length, 1000);
  assert.equal(outcome.truncated, true);
  assert.ok(outcome.body.equals(Buffer.alloc(1000, 'x')));
});

test('a server that never answers times out within the bound', async () => {
  const outcome = await labFetcher({ timeoutMs: 300 }).fetch(`http://127.0.0.1:${site.port}/hang`);
  assertFailed(outcome, 'timeout');
  // The bound given, not a default one, ended it.
  assert.match(outcome.message, /within 300 ms/);
});

test("the caller's signal cancels the fetch", async () => {
  const outcome = await labFetcher().fetch(`http://127.0.0.1:${site.port}/hang`, AbortSignal.timeout(100));
  assertFailed(outcome, 'aborted');
});

test('huge response headers are refused', async () => {
  assertFailed(await labFetcher().fetch(`http://127.0.0.1:${site.port}/huge-headers`), 'headers-too-large');
});

test('a closed port is a connect failure, not a throw', async () => {
  const closed = await startServer();
  const port = closed.port;
  await closed.close();
  assertFailed(await labFetcher().fetch(`http://127.0.0.1:${port}/`), 'connect-failed');
});

test('the connection goes to the vetted address: one lookup per hop, no second chance for DNS', async () => {
  // Answers the allowed address once, then a refused one: a second lookup anywhere would show up.
  const lookups: string[] = [];
  const rebinding: HostResolver = async (host) => {
    lookups.push(host);
    return [v4(lookups.length === 1 ? '127.0.0.1' : '10.0.0.1')];
  };
  const fetcher = () => new SafeFetcher({ guard: createConnectGuard(rebinding, labPolicy), timeoutMs: 5000 });

  const single = await fetcher().fetch(`http://rebind.example:${site.port}/page`);
  assertFetched(single);
  assert.deepEqual(lookups, ['rebind.example']);
  assert.equal(site.requests.at(-1)?.host, `rebind.example:${site.port}`);

  lookups.length = 0;
  const before = site.requests.length;
  const redirected = await fetcher().fetch(`http://rebind.example:${site.port}/start`);
  assertFailed(redirected, 'address-refused');
  assert.match(redirected.message, /rebind\.example resolves to 10\.0\.0\.1 \(private\)/);
  assert.deepEqual(lookups, ['rebind.example', 'rebind.example']);
  assert.equal(redirected.chain.length, 1);
  assert.equal(site.requests.length - before, 1);
});
