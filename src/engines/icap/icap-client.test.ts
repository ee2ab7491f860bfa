/**
 * The ICAP client against hostile or unusual servers written in the test: oversized and endless heads,
 * too many headers, bad chunking, bodies past the limit, silence, early answers, no 204 support.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { PluginError } from '../../core/plugin.js';
import { tempFile } from '../contract.case.test.js';
import { IcapClient } from './icap-client.js';
import { createIcapEngine } from './icap-engine.js';
import { pino } from 'pino';
import { parseIcapTargets } from './icap-target.js';
import { icapVerdict } from './icap-verdict.js';

/** Called with everything received on a connection so far; writes an answer when it has seen enough. */
type Handler = (received: string, socket: net.Socket) => void;

const servers: net.Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function fakeServer(handler: Handler): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let received = '';
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      received += d.toString('latin1');
      handler(received, socket);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

function client(port: number): IcapClient {
  const [target] = parseIcapTargets(`Fake=icap://127.0.0.1:${port}/scan`, { seats: 1, timeoutMs: 5_000, maxBytes: 1 << 20 });
  return new IcapClient(target!, { connectTimeoutMs: 2_000, idleMs: 5_000, maxIdle: 2 });
}

/** True once the request (head, and the body when it has one) has fully arrived. */
function complete(received: string): boolean {
  const head = received.indexOf('\r\n\r\n');
  if (head < 0) return false;
  if (received.startsWith('OPTIONS')) return true;
  return /\r\n0(; ieof)?\r\n\r\n$/.test(received);
}

const options = 'ICAP/1.0 200 OK\r\nMethods: RESPMOD\r\nISTag: "T1"\r\nService: Fake AV 1.0\r\nEncapsulated: null-body=0\r\n\r\n';

describe('ICAP client against hostile servers', () => {
  it('reads OPTIONS: ISTag without quotes, Service, no preview, no 204', async () => {
    const { port } = await fakeServer((r, s) => complete(r) && s.write(options));
    const answer = await client(port).options(AbortSignal.timeout(5_000));
    assert.deepEqual(answer, { istag: 'T1', service: 'Fake AV 1.0', preview: undefined, allow204: false, maxConnections: undefined, ttlSeconds: undefined });
  });

  it('a server without 204 support echoes the file back: undetected, and the echo is drained, not kept', async () => {
    const file = await tempFile('big.bin', Buffer.alloc(300_000, 7));
    let allowed: boolean | undefined;
    const { port } = await fakeServer((r, s) => {
      if (!complete(r)) return;
      allowed = /\r\nAllow: 204\r\n/.test(r.slice(0, r.indexOf('\r\n\r\n') + 2));
      const hdr = 'HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n';
      s.write(`ICAP/1.0 200 OK\r\nISTag: "T1"\r\nEncapsulated: res-hdr=0, res-body=${hdr.length}\r\n\r\n${hdr}`);
      s.write(`${(300_000).toString(16)}\r\n`);
      s.write(Buffer.alloc(300_000, 7));
      s.write('\r\n0\r\n\r\n');
    });
    const answer = await client(port).respmod({ path: file.path, size: file.size, name: 'big.bin' }, { preview: undefined, allow204: false }, AbortSignal.timeout(5_000));
    assert.equal(allowed, false, 'no Allow: 204 to a server whose OPTIONS did not offer it');
    assert.equal(answer.httpStatus, 200);
    assert.ok(answer.bodyStart.length <= 4096);
    assert.deepEqual(icapVerdict(answer), { category: 'undetected', result: null });
  });

  it('a block page without a threat header is malicious, named by its HTTP status', async () => {
    const file = await tempFile('x.bin', 'x');
    const { port } = await fakeServer((r, s) => {
      if (!complete(r)) return;
      const hdr = 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n';
      s.write(`ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=${hdr.length}\r\n\r\n${hdr}5\r\nblock\r\n0\r\n\r\n`);
    });
    const answer = await client(port).respmod({ path: file.path, size: file.size, name: 'x.bin' }, { preview: 1024, allow204: true }, AbortSignal.timeout(5_000));
    assert.deepEqual(icapVerdict(answer), { category: 'malicious', result: 'blocked (HTTP 403)' });
  });

  const refusals: Array<[string, Handler, RegExp]> = [
    ['a head larger than 64 KiB', (_r, s) => s.write(`ICAP/1.0 200 OK\r\nX-Pad: ${'a'.repeat(70_000)}`), /longer than 65536 bytes/],
    ['more than 100 headers', (r, s) => complete(r) && s.write(`ICAP/1.0 200 OK\r\n${'X-A: 1\r\n'.repeat(101)}\r\n`), /more than 100 headers/],
    ['a bad status line', (r, s) => complete(r) && s.write('HTTP/1.1 200 OK\r\n\r\n'), /bad ICAP status line/],
    ['a truncated head (closed midway)', (r, s) => complete(r) && s.end('ICAP/1.0 200 OK\r\nISTag: "x'), /closed by the ICAP server/],
    ['Encapsulated offsets going backwards', (r, s) => complete(r) && s.write('ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=0, null-body=5\r\n\r\n'), /after the body|bad Encapsulated/],
    ['Encapsulated past the head limit', (r, s) => complete(r) && s.write('ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=999999999\r\n\r\n'), /past/],
    [
      'a bad chunk size',
      (r, s) => complete(r) && s.write('ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=19\r\n\r\nHTTP/1.1 200 OK\r\n\r\nzz\r\n'),
      /bad chunk-size line/,
    ],
    [
      'a chunk size that would overflow',
      (r, s) => complete(r) && s.write('ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=19\r\n\r\nHTTP/1.1 200 OK\r\n\r\nffffffffffffffffff\r\n'),
      /bad chunk-size line/,
    ],
    [
      'a body larger than the file plus 1 MiB',
      (r, s) => {
        if (!complete(r)) return;
        s.write('ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=19\r\n\r\nHTTP/1.1 200 OK\r\n\r\n');
        // Endless chunks: the client must stop at its limit rather than read forever.
        const pump = () => {
          while (!s.destroyed && s.write(`10000\r\n${'b'.repeat(0x10000)}\r\n`));
          if (!s.destroyed) s.once('drain', pump);
        };
        pump();
      },
      /larger than/,
    ],
    ['an endless stream of trailer lines', (r, s) => complete(r) && s.write(`ICAP/1.0 200 OK\r\nEncapsulated: res-hdr=0, res-body=19\r\n\r\nHTTP/1.1 200 OK\r\n\r\n0\r\n${'X: y\r\n'.repeat(40)}`), /trailer lines/],
    ['a 100 Continue to a preview marked ieof', (r, s) => complete(r) && s.write('ICAP/1.0 100 Continue\r\n\r\n'), /100 Continue after a preview marked ieof/],
    ['an ICAP 500', (r, s) => complete(r) && s.write('ICAP/1.0 500 Server Error\r\nEncapsulated: null-body=0\r\n\r\n'), /ICAP 500/],
  ];
  for (const [what, handler, message] of refusals) {
    it(`refuses ${what} with a PluginError`, async () => {
      const file = await tempFile('x.bin', 'x');
      const { port } = await fakeServer(handler);
      await assert.rejects(
        (async () => icapVerdict(await client(port).respmod({ path: file.path, size: file.size, name: 'x.bin' }, { preview: 1024, allow204: true }, AbortSignal.timeout(10_000))))(),
        (error: unknown) => error instanceof PluginError && message.test(error.message),
      );
    });
  }

  it('a silent server is given up when the signal aborts, promptly', async () => {
    const file = await tempFile('x.bin', 'x');
    const { port } = await fakeServer(() => undefined);
    const controller = new AbortController();
    const scan = client(port).respmod({ path: file.path, size: file.size, name: 'x.bin' }, { preview: undefined, allow204: true }, controller.signal);
    setImmediate(() => controller.abort(new Error('deadline')));
    await assert.rejects(scan, /deadline/);
  });

  it('a server that answers before taking the whole file is believed, and that connection is not reused', async () => {
    const file = await tempFile('big.bin', Buffer.alloc(4 * 1024 * 1024, 1));
    const { port, connections } = await fakeServer((r, s) => {
      if (r.startsWith('OPTIONS')) return complete(r) && s.write(options);
      if (r.includes('\r\n\r\n') && !s.writableEnded) {
        s.end('ICAP/1.0 200 OK\r\nX-Virus-ID: Early.Bird\r\nEncapsulated: null-body=0\r\n\r\n');
      }
    });
    const c = client(port);
    const answer = await c.respmod({ path: file.path, size: file.size, name: 'big.bin' }, { preview: undefined, allow204: true }, AbortSignal.timeout(10_000));
    assert.deepEqual(icapVerdict(answer), { category: 'malicious', result: 'Early.Bird' });
    await c.options(AbortSignal.timeout(5_000));
    assert.equal(connections(), 2);
  });

  it('keeps a connection alive between requests', async () => {
    const answered = new Map<net.Socket, number>();
    const { port, connections } = await fakeServer((r, s) => {
      // Each OPTIONS request ends with an empty line; answer every one not answered yet.
      const requests = r.split('\r\n\r\n').length - 1;
      for (let n = answered.get(s) ?? 0; n < requests; n++) s.write(options);
      answered.set(s, requests);
    });
    const c = client(port);
    await c.options(AbortSignal.timeout(5_000));
    await c.options(AbortSignal.timeout(5_000));
    assert.equal(connections(), 1, 'the second request reused the first connection');
  });

  it('sends a request again on a fresh connection when the server drops a reused one without answering', async () => {
    const answered = new WeakSet<net.Socket>();
    const { port, connections } = await fakeServer((r, s) => {
      if (!complete(r)) return;
      // One answer per connection: a second request on it is dropped, as a server whose keep-alive ran out would.
      if (answered.has(s)) return void s.destroy();
      answered.add(s);
      s.write(options);
    });
    const c = client(port);
    await c.options(AbortSignal.timeout(5_000));
    const again = await c.options(AbortSignal.timeout(5_000));
    assert.equal(again.istag, 'T1');
    assert.equal(connections(), 2);
  });

  it('the engine sends at most `seats` requests at once, whatever the number of scans', async () => {
    let pending = 0;
    let most = 0;
    const { port } = await fakeServer((r, s) => {
      if (r.startsWith('OPTIONS')) return complete(r) && s.end(options.replace('Encapsulated', 'Preview: 0\r\nConnection: close\r\nEncapsulated'));
      if (!complete(r) || (s as net.Socket & { held?: boolean }).held) return;
      (s as net.Socket & { held?: boolean }).held = true;
      most = Math.max(most, ++pending);
      // Answered a moment later, so requests that are allowed to overlap do.
      setTimeout(() => {
        pending--;
        s.end('ICAP/1.0 204 No Content\r\nConnection: close\r\n\r\n');
      }, 20);
    });
    const [target] = parseIcapTargets(`Seated=icap://127.0.0.1:${port}/scan?seats=2`, { seats: 4, timeoutMs: 5_000, maxBytes: 1 << 20 });
    const engine = createIcapEngine({ target: target!, logger: pino({ level: 'silent' }) });
    assert.equal((await engine.start()).ready, true);
    const file = await tempFile('x.bin', 'x');
    const verdicts = await Promise.all(Array.from({ length: 8 }, () => engine.scan(file, AbortSignal.timeout(10_000))));
    assert.deepEqual(new Set(verdicts.map((v) => v.category)), new Set(['undetected']));
    assert.equal(most, 2);
    await engine.close();
  });
});
