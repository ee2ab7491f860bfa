/** The VT client against a local fake VirusTotal: upload flow, polling, error mapping, cursors. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import Fastify from 'fastify';
import { OVER_QUOTA_KEY, startFakeVtServer, vtError, type FakeVtServer } from './fake-vt-server.js';
import { pathSegment, toVtObject, urlId, VtApiError, VtClient, VtProtocolError } from './vt-client.js';

const ITEMS = ['c0', 'c1', 'c2', 'c3', 'c4'];

describe('VtClient', () => {
  let server: FakeVtServer;
  let client: VtClient;
  let dir: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-vt-client-'));
    server = await startFakeVtServer({
      routes(app) {
        // A collection walked by cursor: offsets as cursors, the last page without one.
        app.get<{ Querystring: { cursor?: string; limit?: string } }>('/api/v3/comments', async (req) => {
          const offset = Number(req.query.cursor ?? 0);
          const limit = Number(req.query.limit ?? 10);
          const page = ITEMS.slice(offset, offset + limit);
          const more = offset + limit < ITEMS.length;
          return {
            data: page.map((id) => ({ type: 'comment', id, attributes: { text: id, date: 1700000000 } })),
            meta: more ? { cursor: String(offset + limit), count: ITEMS.length } : { count: ITEMS.length },
            links: { self: `${server.url}${req.url}` },
          };
        });
        app.get('/api/v3/errors/quota', async (_req, reply) => vtError(reply, 429, 'QuotaExceededError', 'Quota exceeded'));
        app.get('/api/v3/errors/server-json', async (_req, reply) => vtError(reply, 503, 'TransientError', 'try later'));
        app.get('/api/v3/errors/created', async (_req, reply) => reply.code(201).send({ data: { type: 'file', id: 'x' } }));
        app.get('/api/v3/errors/plain-404', async (_req, reply) => reply.code(404).type('text/plain').send('nothing here'));
        app.get('/api/v3/errors/no-code', async (_req, reply) => reply.code(400).type('application/json').send({ error: { message: 'oops' } }));
        app.get('/api/v3/bad/date-string', async () => ({ data: { type: 'file', id: 'x', attributes: { last_analysis_date: '2024-01-01' } } }));
        app.get('/api/v3/bad/date-null', async () => ({ data: { type: 'file', id: 'x', attributes: { creation_date: null } } }));
        app.get('/api/v3/bad/reserved', async () => ({ data: { type: 'file', id: 'x', attributes: { type: 'peexe' } } }));
        app.get('/api/v3/bad/no-type', async () => ({ data: { id: 'x', attributes: {} } }));
        app.get('/api/v3/bad/text', async (_req, reply) => reply.type('text/plain').send('{"data":{}}'));
        app.get('/api/v3/bad/no-data', async () => ({ nodata: true }));
        app.get('/api/v3/bad/empty-page', async () => ({ data: [], meta: { cursor: 'more' } }));
        app.get('/api/v3/charset', async (_req, reply) =>
          reply.type('application/json; charset=utf-8').send(JSON.stringify({ data: { type: 'user', id: 'u', attributes: { user_since: 1 } } })),
        );
      },
    });
    client = new VtClient({ server: `${server.url}/`, apiKey: server.apiKey });
  });
  after(async () => {
    await server?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('scanFile streams a 5 MB file as one exact multipart part, without Content-Length', async () => {
    const file = path.join(dir, 'sample "5mb".bin');
    const bytes = randomBytes(5 * 1024 * 1024);
    await fs.writeFile(file, bytes);
    const progress: number[] = [];
    const uploadsBefore = server.uploads.length;

    const analysis = await client.scanFile(file, { onProgress: (sent, total) => (assert.equal(total, bytes.length), progress.push(sent)) });

    assert.equal(analysis.type, 'analysis');
    assert.equal(server.uploads.length, uploadsBefore + 1);
    const upload = server.uploads.at(-1)!;
    // 1. vt-py asks for an upload URL first, then posts to it, with the key both times.
    const lastTwo = server.requests.slice(-2);
    assert.equal(lastTwo[0], 'GET /api/v3/files/upload_url');
    assert.match(lastTwo[1]!, /^POST \/upload\/[0-9a-f]+$/);
    assert.equal(upload.headers['x-apikey'], server.apiKey);
    assert.match(String(upload.headers['user-agent']), /; assay-vt-client [\d.]+; gzip$/);
    // 2. Streamed: chunked transfer and no declared length.
    assert.equal(upload.headers['transfer-encoding'], 'chunked');
    assert.equal(upload.headers['content-length'], undefined);
    assert.ok(upload.chunks > 1, `body arrived in ${upload.chunks} chunk(s)`);
    assert.ok(progress.length > 10, `progress reported ${progress.length} times`);
    assert.equal(progress.at(-1), bytes.length);
    // 3. Byte-exact: the whole body is the one part vt-py would send, the file untouched.
    assert.match(String(upload.headers['content-type']), new RegExp(`^multipart/form-data; boundary=${upload.boundary}$`));
    const expected = Buffer.concat([
      Buffer.from(
        `--${upload.boundary}\r\nContent-Type: application/octet-stream\r\n` +
          `Content-Disposition: form-data; name="file"; filename="sample %225mb%22.bin"\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${upload.boundary}--\r\n`),
    ]);
    assert.ok(upload.body.equals(expected), 'multipart body differs from the expected bytes');
    assert.ok(upload.file.equals(bytes));
  });

  test('a large upload keeps memory bounded: the file is never held whole', async () => {
    // A server that counts and drops the bytes, so only the client's memory is measured.
    const sink = Fastify();
    let received = 0;
    sink.addContentTypeParser('multipart/form-data', (_req, payload, done) => done(null, payload));
    sink.get('/api/v3/files/upload_url', async () => ({ data: `${sinkUrl}/up` }));
    sink.post('/up', async (req) => {
      for await (const chunk of req.body as Readable) received += (chunk as Buffer).length;
      return { data: { type: 'analysis', id: 'sink' } };
    });
    const sinkUrl = await sink.listen({ host: '127.0.0.1', port: 0 });
    // Collecting before each sample measures what is still referenced, not garbage awaiting GC.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    try {
      const size = 48 * 1024 * 1024;
      const file = path.join(dir, 'large.bin');
      await fs.writeFile(file, Buffer.alloc(size, 1));
      gc();
      const baseline = process.memoryUsage().arrayBuffers;
      let peak = 0;
      let calls = 0;
      const c = new VtClient({ server: sinkUrl, apiKey: 'k' });
      await c.uploadFile(file, {
        onProgress: () => {
          if (++calls % 64 !== 0) return;
          gc();
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
        },
      });
      assert.ok(received > size);
      assert.ok(peak < 16 * 1024 * 1024, `client held ${Math.round(peak / 1048576)} MiB while streaming ${size / 1048576} MiB`);
    } finally {
      await sink.close();
    }
  });

  test('uploadFile reports the sha256 of what it streamed', async () => {
    const file = path.join(dir, 'small.txt');
    await fs.writeFile(file, 'hello assay\n');
    const result = await client.uploadFile(file);
    assert.equal(result.sha256, createHash('sha256').update('hello assay\n').digest('hex'));
    assert.equal(result.size, 12);
    assert.equal(result.name, 'small.txt');
    assert.equal(server.uploads.at(-1)!.filename, 'small.txt');
  });

  test('scanFile with waitForCompletion polls queued -> in-progress -> completed, ids unencoded', async () => {
    const file = path.join(dir, 'eicar-ish.txt');
    await fs.writeFile(file, 'a harmless file that mentions EICAR\n');
    const mark = server.requests.length;
    const analysis = await client.scanFile(file, { waitForCompletion: true, pollMs: 5 });
    assert.equal(analysis.attributes.status, 'completed');
    const polls = server.requests.slice(mark).filter((r) => r.startsWith('GET /api/v3/analyses/'));
    assert.equal(polls.length, 3);
    // Padded base64 ids keep their "=" in the path, as aiohttp sends them.
    assert.ok(analysis.id.endsWith('='));
    assert.ok(polls.every((p) => p.endsWith(analysis.id)), polls.join('\n'));
    const stats = analysis.attributes.stats as Record<string, number>;
    assert.equal(stats.malicious, 2);
  });

  test('waitForAnalysis gives up after timeoutMs', async () => {
    const slow = await startFakeVtServer({ statuses: ['queued'] });
    try {
      const c = new VtClient({ server: slow.url, apiKey: slow.apiKey });
      const file = path.join(dir, 'slow.txt');
      await fs.writeFile(file, 'slow');
      const { id } = await c.scanFile(file);
      await assert.rejects(c.waitForAnalysis(id, { pollMs: 5, timeoutMs: 50 }), (e: unknown) => e instanceof VtApiError && e.code === 'WaitTimeoutError');
    } finally {
      await slow.close();
    }
  });

  test('getObject returns the object; a 404 envelope becomes NotFoundError', async () => {
    const missing = 'a'.repeat(64);
    await assert.rejects(client.getObject(`/files/${missing}`), (e: unknown) => {
      assert.ok(e instanceof VtApiError);
      assert.equal(e.code, 'NotFoundError');
      assert.equal(e.status, 404);
      assert.equal(e.message, `File "${missing}" not found`);
      return true;
    });
    const sha = createHash('sha256').update('hello assay\n').digest('hex');
    const file = await client.getObject(`/files/${sha}`);
    assert.equal(file.type, 'file');
    assert.equal(file.id, sha);
    assert.equal(file.attributes.size, 12);
  });

  test('errors map as vt-py maps them', async () => {
    const code = async (p: string, c: VtClient = client) => {
      try {
        await c.getJson(p);
      } catch (e) {
        if (e instanceof VtApiError) return [e.code, e.status, e.message];
        throw e;
      }
      return undefined;
    };
    assert.deepEqual(await code('/errors/quota'), ['QuotaExceededError', 429, 'Quota exceeded']);
    // 5xx JSON is not parsed; any non-200 outside 4xx is a ServerError, 201 included.
    assert.equal((await code('/errors/server-json'))?.[0], 'ServerError');
    assert.equal((await code('/errors/created'))?.[0], 'ServerError');
    assert.deepEqual(await code('/errors/plain-404'), ['ClientError', 404, 'nothing here']);
    const overQuota = new VtClient({ server: server.url, apiKey: OVER_QUOTA_KEY });
    assert.equal((await code('/metadata', overQuota))?.[0], 'QuotaExceededError');
    const wrongKey = new VtClient({ server: server.url, apiKey: 'nope' });
    assert.equal((await code('/metadata', wrongKey))?.[0], 'WrongCredentialsError');
    assert.throws(() => new VtClient({ server: server.url, apiKey: '' }));
  });

  test('responses that would break vt-py are refused with the rule named', async () => {
    const broken = async (p: string, pattern: RegExp) =>
      assert.rejects(client.getObject(p), (e: unknown) => e instanceof VtProtocolError && pattern.test(e.message));
    await broken('/bad/date-string', /last_analysis_date/);
    await broken('/bad/date-null', /creation_date/);
    await broken('/bad/reserved', /"type" collides/);
    await broken('/bad/no-type', /type not found/);
    await broken('/bad/text', /Content-Type application\/json/);
    await broken('/bad/no-data', /data field/);
    await broken('/errors/no-code', /error\.code/);
    const ok = await client.getObject('/charset');
    assert.equal(ok.attributes.user_since, 1);
  });

  test('iterate follows meta.cursor with the batch size and stops at the last page', async () => {
    const mark = server.requests.length;
    const ids: string[] = [];
    for await (const c of client.iterate('/comments', { batchSize: 2, params: { filter: 'tag:x' } })) ids.push(c.id);
    assert.deepEqual(ids, ITEMS);
    assert.deepEqual(server.requests.slice(mark), [
      'GET /api/v3/comments?filter=tag%3Ax&limit=2',
      'GET /api/v3/comments?filter=tag%3Ax&cursor=2&limit=2',
      'GET /api/v3/comments?filter=tag%3Ax&cursor=4&limit=2',
    ]);
  });

  test('iterate honours limit as a client-side cap and refuses cursor/limit params', async () => {
    const mark = server.requests.length;
    const ids: string[] = [];
    for await (const c of client.iterate('/comments', { batchSize: 2, limit: 3 })) ids.push(c.id);
    assert.deepEqual(ids, ['c0', 'c1', 'c2']);
    assert.equal(server.requests.length - mark, 2);
    const all: string[] = [];
    for await (const c of client.iterate('/comments')) all.push(c.id);
    assert.deepEqual(all, ITEMS);
    await assert.rejects(client.iterate('/comments', { params: { limit: 5 } }).next(), /limit/);
    await assert.rejects(client.iterate('/bad/empty-page').next(), VtProtocolError);
  });

  test('uploadUrl, getData and helpers', async () => {
    assert.match(await client.uploadUrl(), new RegExp(`^${server.url}/upload/`));
    const metadata = (await client.getData('/metadata')) as { engines: Record<string, unknown> };
    assert.ok('ClamAV' in metadata.engines);
    assert.equal(urlId('https://www.google.com/'), 'aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbS8');
    assert.equal(pathSegment('a b/c=d:e'), 'a%20b%2Fc=d:e');
    assert.equal(client.url('/files/x', { limit: 2, cursor: undefined }), `${server.url}/api/v3/files/x?limit=2`);
    assert.equal(client.url('http://elsewhere/u'), 'http://elsewhere/u');
    assert.deepEqual(toVtObject({ type: 't', id: 'i', attributes: null }).attributes, {});
  });
});

describe('VtClient: URLs, domains and IP addresses', () => {
  let server: FakeVtServer;
  let client: VtClient;

  before(async () => {
    server = await startFakeVtServer();
    client = new VtClient({ server: server.url, apiKey: server.apiKey });
  });
  after(async () => server?.close());

  test('scanUrl posts one urlencoded `url` field, as vt-py does, and answers the analysis descriptor', async () => {
    const url = 'http://malware.example/dl?a=1&b=two words';
    const analysis = await client.scanUrl(url);
    assert.equal(analysis.type, 'analysis');
    assert.match(analysis.id, /^u-[0-9a-f]{64}-\d+/);
    const sent = server.urlSubmissions.at(-1)!;
    assert.equal(sent.contentType, 'application/x-www-form-urlencoded');
    assert.equal(sent.body, 'url=http%3A%2F%2Fmalware.example%2Fdl%3Fa%3D1%26b%3Dtwo+words');
  });

  test('waitForAnalysisReport keeps meta.url_info and reports each status it polls', async () => {
    const url = 'http://phish.example/login';
    const { id } = await client.scanUrl(url);
    const seen: string[] = [];
    const { analysis, meta } = await client.waitForAnalysisReport(id, { pollMs: 5, onStatus: (s) => seen.push(s) });
    assert.deepEqual(seen, ['queued', 'in-progress', 'completed']);
    assert.equal(analysis.attributes.status, 'completed');
    assert.deepEqual(meta.url_info, { id: createHash('sha256').update(url).digest('hex'), url });
    const stats = analysis.attributes.stats as Record<string, number>;
    assert.deepEqual(Object.keys(stats).sort(), ['harmless', 'malicious', 'suspicious', 'timeout', 'undetected']);
    assert.equal(stats.malicious, 1);
    // URL engines carry no engine_version / engine_update, as on VT.
    const openPhish = (analysis.attributes.results as Record<string, Record<string, unknown>>).OpenPhish!;
    assert.equal(openPhish.result, 'phishing');
    assert.equal('engine_version' in openPhish, false);
    // scanUrl with waitForCompletion returns the completed analysis too.
    const done = await client.scanUrl(url, { waitForCompletion: true, pollMs: 5 });
    assert.equal(done.attributes.status, 'completed');
  });

  test('getUrl sends the URL as vt-py url_id, or a sha256 id as it is', async () => {
    const url = 'https://www.google.com/';
    await client.scanUrl(url);
    const mark = server.requests.length;
    const byUrl = await client.getUrl(url);
    const sha = createHash('sha256').update(url).digest('hex');
    assert.equal(byUrl.id, sha);
    assert.equal(byUrl.attributes.url, url);
    const byId = await client.getUrl(sha.toUpperCase());
    assert.equal(byId.id, sha);
    assert.deepEqual(server.requests.slice(mark), ['GET /api/v3/urls/aHR0cHM6Ly93d3cuZ29vZ2xlLmNvbS8', `GET /api/v3/urls/${sha}`]);
    await assert.rejects(client.getUrl('http://never.example/'), (e: unknown) => e instanceof VtApiError && e.code === 'NotFoundError');
  });

  test('getDomain and getIpAddress fetch /domains/{name} and /ip_addresses/{ip}; IPv6 colons stay literal', async () => {
    server.domains.set('example.com', { type: 'domain', id: 'example.com', attributes: { registrar: 'Example Registrar', creation_date: 808372800 } });
    server.ipAddresses.set('2001:db8::1', { type: 'ip_address', id: '2001:db8::1', attributes: { asn: 64500 } });
    const mark = server.requests.length;
    assert.equal((await client.getDomain('example.com')).attributes.registrar, 'Example Registrar');
    assert.equal((await client.getIpAddress('2001:db8::1')).attributes.asn, 64500);
    assert.deepEqual(server.requests.slice(mark), ['GET /api/v3/domains/example.com', 'GET /api/v3/ip_addresses/2001:db8::1']);
    await assert.rejects(client.getDomain('unknown.example'), (e: unknown) => e instanceof VtApiError && e.status === 404);
    await assert.rejects(client.getIpAddress('192.0.2.1'), (e: unknown) => e instanceof VtApiError && e.code === 'NotFoundError');
  });

  test('a file analysis answers meta.file_info', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assay-vt-meta-'));
    try {
      const file = path.join(dir, 'f.txt');
      await fs.writeFile(file, 'meta');
      const { analysis } = await client.uploadFile(file);
      const { meta } = await client.waitForAnalysisReport(analysis.id, { pollMs: 5 });
      assert.equal((meta.file_info as { sha256: string }).sha256, createHash('sha256').update('meta').digest('hex'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
