/** The screenshot capturer against real Chromium: a PNG of a local page, every request through the safe fetcher. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AddressPolicy } from '../../net/address-policy.js';
import { createConnectGuard } from '../../net/connect-guard.js';
import { systemResolver } from '../../net/host-resolver.js';
import { SafeFetcher } from '../../net/safe-fetcher.js';
import type { ResourceFetch } from '../../core/plugin.js';
import { runPageCapturerContract } from '../contract.case.test.js';
import { ChromiumCapturer } from './chromium-capturer.js';

const chromium = '/usr/bin/chromium';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the URL job wires: the safe fetcher, here allowed to reach the test's loopback server only. */
function safeFetch(allow: string[]): ResourceFetch {
  const fetcher = new SafeFetcher({ guard: createConnectGuard(systemResolver(), new AddressPolicy({ allow })), timeoutMs: 5_000 });
  return async (url, signal) => {
    const outcome = await fetcher.fetch(url, signal);
    return outcome.ok ? { ok: true, status: outcome.statusCode, headers: outcome.headers, body: outcome.body } : { ok: false, reason: outcome.reason };
  };
}

describe('Chromium screenshots', { skip: existsSync(chromium) ? false : 'Debian chromium is not installed' }, () => {
  const requests: string[] = [];
  let server: http.Server;
  let origin: string;
  let capturer: ChromiumCapturer;

  before(async () => {
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/pixel.png') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_SIGNATURE);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      // The page also asks for a private address and the metadata service: both must be refused.
      res.end('<html><body style="background:#c00"><h1>Hello</h1><img src="/pixel.png"><img src="http://10.1.2.3/x.png"><script src="http://169.254.169.254/latest/meta-data/"></script></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    capturer = new ChromiumCapturer({ executablePath: chromium, fetchResource: safeFetch(['127.0.0.1/32']) });
    const readiness = await capturer.start();
    assert.equal(readiness.ready, true, readiness.detail);
  });

  after(async () => {
    await capturer?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  test('renders the page to a PNG; subresources come through the fetcher, internal ones are refused', async () => {
    const shot = await capturer.capture(`${origin}/page`, AbortSignal.timeout(30_000));
    assert.deepEqual(shot.png.subarray(0, 8), PNG_SIGNATURE);
    assert.ok(shot.png.length > 1000, 'a real picture, not an empty one');
    assert.ok(requests.includes('/page') && requests.includes('/pixel.png'), `the page and its image were fetched: ${requests.join(', ')}`);
    assert.equal(shot.refusedRequests, 2, 'the private address and the metadata service were refused');
  });

  test('a page on a refused address renders nothing from it', async () => {
    const strict = new ChromiumCapturer({ executablePath: chromium, fetchResource: safeFetch([]) });
    try {
      await strict.start();
      const before = requests.length;
      const shot = await strict.capture(`${origin}/page`, AbortSignal.timeout(30_000));
      assert.equal(requests.length, before, 'Chromium did not reach the loopback server itself');
      assert.equal(shot.refusedRequests, 1);
    } finally {
      await strict.close();
    }
  });

  test('without Chromium the capturer says why it is not ready', async () => {
    const missing = new ChromiumCapturer({ executablePath: '/nonexistent/chromium', fetchResource: safeFetch([]) });
    const readiness = await missing.start();
    assert.equal(readiness.ready, false);
    assert.match(readiness.detail ?? '', /apt-get install chromium/);
  });
});

describe('Chromium as a page capturer', { skip: existsSync(chromium) ? false : 'Debian chromium is not installed' }, () => {
  let server: http.Server;
  let origin = '';
  before(async () => {
    server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Contract</h1></body></html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server?.close(() => resolve())));
  runPageCapturerContract('screenshot', () => new ChromiumCapturer({ executablePath: chromium, fetchResource: safeFetch(['127.0.0.1/32']) }), { url: () => `${origin}/page` });
});
