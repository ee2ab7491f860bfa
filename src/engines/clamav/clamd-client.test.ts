/** clamd protocol client: against a real clamd, and against a scripted fake for framing and error replies. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { clamdUnavailable, startTestClamd, type TestClamd } from '../../../test/support/clamd.js';
import { PluginError } from '../../core/plugin.js';
import { eicar, tempFile } from '../contract.case.test.js';
import { ClamdClient, parseClamdAddress } from './clamd-client.js';

describe('parseClamdAddress', () => {
  it('tells socket paths from host:port', () => {
    assert.deepEqual(parseClamdAddress('/run/clamav/clamd.ctl'), { path: '/run/clamav/clamd.ctl' });
    assert.deepEqual(parseClamdAddress('unix:///run/clamd.sock'), { path: '/run/clamd.sock' });
    assert.deepEqual(parseClamdAddress('unix:/run/clamd.sock'), { path: '/run/clamd.sock' });
    assert.deepEqual(parseClamdAddress('127.0.0.1:3310'), { host: '127.0.0.1', port: 3310 });
    assert.deepEqual(parseClamdAddress('tcp://clamav:3310'), { host: 'clamav', port: 3310 });
    assert.deepEqual(parseClamdAddress('[::1]:3310'), { host: '::1', port: 3310 });
    assert.deepEqual(parseClamdAddress('./clamd.sock'), { path: './clamd.sock' });
  });
});

describe('ClamdClient against a real clamd', { skip: clamdUnavailable() }, () => {
  let clamd: TestClamd;
  let client: ClamdClient;
  before(async () => {
    clamd = await startTestClamd();
    client = new ClamdClient({ path: clamd.socketPath });
  });
  after(() => clamd?.stop());

  it('PINGs and reads VERSION', async () => {
    await client.ping();
    const v = await client.version();
    assert.match(v.engine, /^\d+\.\d+/);
    // Bundled signatures only: clamd reports no official database version.
    assert.equal(v.databaseVersion, undefined);
  });

  it('streams files and parses OK and FOUND', async () => {
    const clean = await tempFile('clean.txt', 'nothing to see\n');
    const bad = await tempFile('eicar.com', eicar());
    assert.deepEqual(await client.scanFile(clean.path, AbortSignal.timeout(10_000)), { infected: false });
    const reply = await client.scanFile(bad.path, AbortSignal.timeout(10_000));
    assert.ok(reply.infected);
    assert.match(reply.signature, /^Assay\.Test\.EICAR\.(HDB|NDB)\.UNOFFICIAL$/);
  });

  it('streams a file larger than one chunk', async () => {
    // The marker sits beyond the first 64 KiB chunk, so detection proves the framing of later chunks.
    const big = await tempFile('big.bin', Buffer.concat([randomBytes(300_000), Buffer.from('ASSAY-HARMLESS-TEST-MARKER-5c1b7e')]));
    const reply = await client.scanFile(big.path, AbortSignal.timeout(10_000));
    assert.deepEqual(reply, { infected: true, signature: 'Assay.Test.Marker.UNOFFICIAL' });
  });
});

describe('ClamdClient errors', () => {
  it('an absent socket is daemon_unreachable', async () => {
    const client = new ClamdClient({ path: '/nonexistent/assay/clamd.sock' });
    const file = await tempFile('x.txt', 'x');
    await assert.rejects(client.scanFile(file.path, AbortSignal.timeout(5_000)), (err: unknown) => {
      assert.ok(err instanceof PluginError);
      assert.equal(err.flag, 'daemon_unreachable');
      assert.equal(err.retryable, true);
      return true;
    });
    await assert.rejects(client.ping(), { flag: 'daemon_unreachable' });
  });

  it('a refused TCP port is daemon_unreachable', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assert.rejects(new ClamdClient({ host: '127.0.0.1', port }).ping(), { flag: 'daemon_unreachable' });
  });

  it('a pre-aborted signal rejects without connecting', async () => {
    const client = new ClamdClient({ path: '/nonexistent/assay/clamd.sock' });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(client.scanFile('/nonexistent', controller.signal), /stop/);
  });
});

describe('ClamdClient against a scripted clamd over TCP', () => {
  /** Records the INSTREAM payload it receives and answers with `reply`. */
  async function fakeClamd(reply: (payload: Buffer) => string | undefined): Promise<{ port: number; received: Buffer[]; close(): Promise<void> }> {
    const received: Buffer[] = [];
    const server = net.createServer((socket) => {
      let buffer = Buffer.alloc(0);
      socket.on('data', (data) => {
        buffer = Buffer.concat([buffer, data]);
        if (!buffer.subarray(0, 10).equals(Buffer.from('zINSTREAM\0'))) return;
        // Decode chunks until the zero-length terminator.
        let offset = 10;
        const chunks: Buffer[] = [];
        while (offset + 4 <= buffer.length) {
          const length = buffer.readUInt32BE(offset);
          if (length === 0) {
            received.push(Buffer.concat(chunks));
            const answer = reply(Buffer.concat(chunks));
            if (answer !== undefined) socket.end(`${answer}\0`);
            return;
          }
          if (offset + 4 + length > buffer.length) return;
          chunks.push(buffer.subarray(offset + 4, offset + 4 + length));
          offset += 4 + length;
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      received,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('frames the file as length-prefixed chunks ending in a zero length', async () => {
    const fake = await fakeClamd(() => 'stream: OK');
    const content = randomBytes(200_000);
    const file = await tempFile('payload.bin', content);
    const reply = await new ClamdClient({ host: '127.0.0.1', port: fake.port }).scanFile(file.path, AbortSignal.timeout(5_000));
    assert.deepEqual(reply, { infected: false });
    assert.ok(fake.received[0]!.equals(content));
    await fake.close();
  });

  it('strips ExtendedDetectionInfo from names and reports error replies', async () => {
    const answers = ['stream: Win.Test.EICAR_HDB-1(44d88612fea8a8f36de82e1278abb02f:68) FOUND', 'INSTREAM size limit exceeded. ERROR', 'stream: Can\'t allocate memory ERROR'];
    const fake = await fakeClamd(() => answers.shift());
    const client = new ClamdClient({ host: '127.0.0.1', port: fake.port });
    const file = await tempFile('any.bin', 'data');
    assert.deepEqual(await client.scanFile(file.path, AbortSignal.timeout(5_000)), { infected: true, signature: 'Win.Test.EICAR_HDB-1' });
    await assert.rejects(client.scanFile(file.path, AbortSignal.timeout(5_000)), { flag: 'size_limit_exceeded' });
    await assert.rejects(client.scanFile(file.path, AbortSignal.timeout(5_000)), { flag: 'daemon_error' });
    await fake.close();
  });

  it('aborting mid-scan rejects promptly', async () => {
    const fake = await fakeClamd(() => undefined); // never answers
    const client = new ClamdClient({ host: '127.0.0.1', port: fake.port });
    const file = await tempFile('any.bin', 'data');
    const controller = new AbortController();
    const pending = client.scanFile(file.path, controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    // The fake never answers: only the abort can end the scan, and it does so with the caller's reason.
    const reason = new Error('deadline');
    controller.abort(reason);
    await assert.rejects(pending, (err: unknown) => err === reason);
    await fake.close();
  });
});
