/** End to end on the embedded default: a real server process, real clamd, real YARA-X, SQLite. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { api, eicar, startServer, type TestServer } from '../support/server.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** Starts a multipart upload to `url`, sends half of it, and drops the connection. */
async function droppedUpload(url: string): Promise<void> {
  const boundary = 'assay-dropped-upload';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n`;
  const req = http.request(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 200_000) } });
  const closed = new Promise<void>((resolve) => req.on('error', () => resolve()).on('close', () => resolve()));
  req.write(head);
  await new Promise<void>((resolve) => req.write(Buffer.alloc(100_000, 'x'), () => resolve()));
  req.destroy();
  await closed;
}

describe('file analysis end to end', () => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;

  before(async () => {
    server = await startServer({ env: { ASSAY_MAX_UPLOAD_BYTES: String(1024 * 1024) } });
    admin = api(server, server.adminKey);
  });
  after(async () => server?.stop());

  test('EICAR is malicious for ClamAV and YARA, and the report adds up', async () => {
    const up = await admin.upload(eicar(), 'eicar.com');
    assert.equal(up.status, 200, up.text);
    assert.equal(up.json.data.type, 'analysis');
    const analysis = await admin.waitForAnalysis(up.json.data.id);
    assert.equal(analysis.meta.file_info.sha256, sha256(eicar()));

    const file = await admin.get(`/files/${sha256(eicar())}`);
    assert.equal(file.status, 200);
    const a = file.json.data.attributes;
    assert.equal(file.json.data.id, sha256(eicar()));
    assert.equal(a.last_analysis_results.ClamAV.category, 'malicious');
    assert.match(a.last_analysis_results.ClamAV.result, /EICAR/i);
    assert.equal(a.last_analysis_results.YARA.category, 'malicious');
    assert.ok(a.crowdsourced_yara_results.length >= 1);
    const stats = a.last_analysis_stats;
    assert.equal(Object.keys(stats).length, 8);
    const total = Object.values(stats as Record<string, number>).reduce((x, y) => x + y, 0);
    assert.equal(total, Object.keys(a.last_analysis_results).length);
    assert.ok(stats.malicious >= 2);
    assert.equal(typeof a.last_analysis_date, 'number');
    assert.deepEqual(a.names, ['eicar.com']);
  });

  test('a benign text file is undetected, with file type and fuzzy hashes', async () => {
    const text = 'Quarterly report\n'.repeat(400);
    const up = await admin.upload(text, 'report.txt');
    await admin.waitForAnalysis(up.json.data.id);
    const file = await admin.get(`/files/${sha256(text)}`);
    const a = file.json.data.attributes;
    assert.equal(a.last_analysis_results.ClamAV.category, 'undetected');
    assert.equal(a.last_analysis_results.YARA.category, 'undetected');
    assert.equal(a.last_analysis_stats.malicious, 0);
    assert.equal(a.size, text.length);
    assert.equal(a.type_tag, 'text');
    assert.match(a.magic, /text/i);
    assert.match(a.ssdeep, /^\d+:/);
  });

  test('the same file twice is one file object with two submissions and a new analysis', async () => {
    const body = `same file ${Date.now()}\n`;
    const first = await admin.upload(body, 'one.txt');
    const second = await admin.upload(body, 'two.txt');
    assert.notEqual(first.json.data.id, second.json.data.id);
    await admin.waitForAnalysis(first.json.data.id);
    await admin.waitForAnalysis(second.json.data.id);
    const file = await admin.get(`/files/${sha256(body)}`);
    assert.equal(file.json.data.attributes.times_submitted, 2);
    assert.deepEqual([...file.json.data.attributes.names].sort(), ['one.txt', 'two.txt']);
    const analyses = await admin.get(`/files/${sha256(body)}/analyses`);
    assert.equal(analyses.json.data.length, 2);
  });

  test('a rescan makes a new analysis whose item is the file', async () => {
    const rescan = await admin.post(`/files/${sha256(eicar())}/analyse`);
    assert.equal(rescan.status, 200, rescan.text);
    const done = await admin.waitForAnalysis(rescan.json.data.id);
    assert.equal(done.data.attributes.stats.malicious, 2);
    const item = await admin.get(`/analyses/${encodeURIComponent(rescan.json.data.id)}/item`);
    assert.equal(item.json.data.type, 'file');
    assert.equal(item.json.data.id, sha256(eicar()));
    assert.equal(item.json.data.attributes.last_analysis_results.ClamAV.category, 'malicious');
  });

  test('upload_url survives failed attempts (no file part, a dropped connection), accepts one upload, then refuses the reused URL', async () => {
    const urlRes = await admin.get('/files/upload_url');
    assert.equal(urlRes.status, 200);
    const uploadUrl: string = urlRes.json.data;
    assert.ok(uploadUrl.startsWith(server.url));

    const noFile = new FormData();
    noFile.append('password', 'infected');
    const refused = await fetch(uploadUrl, { method: 'POST', body: noFile });
    assert.equal(refused.status, 400, await refused.text());
    await droppedUpload(uploadUrl);
    const body = Buffer.alloc(2 * 1024 * 1024, 'large upload line\n'); // over the 1 MB /files limit set above
    const ok = await admin.upload(body, 'big.txt', uploadUrl);
    assert.equal(ok.status, 200, ok.text);
    await admin.waitForAnalysis(ok.json.data.id);
    const again = await admin.upload('x', 'again.txt', uploadUrl);
    assert.equal(again.json.error.code, 'NotFoundError');
  });

  test('downloads are for admins only, and give the exact bytes', async () => {
    const body = `download me ${Date.now()}`;
    const up = await admin.upload(body, 'dl.txt');
    await admin.waitForAnalysis(up.json.data.id);
    const res = await fetch(`${server.url}/api/v3/files/${sha256(body)}/download`, { headers: { 'x-apikey': server.adminKey } });
    assert.equal(res.status, 200);
    assert.equal(Buffer.from(await res.arrayBuffer()).toString(), body);
  });

  test('`assay user create` prints a key that works, without download rights', async () => {
    // A second process on the same SQLite file while the server runs, as an operator would do it.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'user', 'create', 'analyst', '--data', server.dataDir]);
    const key = stdout.trim().split('\n').pop()!;
    assert.match(key, /^[0-9a-f]{64}$/);
    const analyst = api(server, key);
    const lookup = await analyst.get(`/files/${sha256(eicar())}`);
    assert.equal(lookup.status, 200);
    const download = await analyst.get(`/files/${sha256(eicar())}/download`);
    assert.equal(download.status, 403);
    assert.equal(download.json.error.code, 'ForbiddenError');
  });

  test('bad input gets VirusTotal error envelopes and loses nothing', async () => {
    const noKey = await fetch(`${server.url}/api/v3/files/${'a'.repeat(64)}`);
    assert.equal(noKey.status, 401);
    assert.equal(((await noKey.json()) as any).error.code, 'AuthenticationRequiredError');
    const wrong = await api(server, 'f'.repeat(64)).get(`/files/${'a'.repeat(64)}`);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'WrongCredentialsError');
    const unknown = await admin.get(`/files/${'a'.repeat(64)}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'NotFoundError');
    const malformed = await admin.get('/files/not-a-hash');
    assert.equal(malformed.status, 400);
    const form = new FormData();
    form.append('notfile', 'x');
    const noFile = await admin.post('/files', form);
    assert.equal(noFile.status, 400);
    assert.equal(noFile.json.error.code, 'BadRequestError');
    const empty = await admin.upload('', 'empty.txt');
    assert.equal(empty.status, 400);
    const tooBig = await admin.upload(Buffer.alloc(1024 * 1024 + 1, 'a'), 'big.bin');
    assert.equal(tooBig.status, 413);
    assert.ok(tooBig.json.error.code);
    const stillThere = await admin.get(`/files/${sha256(eicar())}`);
    assert.equal(stillThere.status, 200);
  });
});
