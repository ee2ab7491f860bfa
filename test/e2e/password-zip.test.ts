/**
 * POST /files with `password` end to end: a real server, real 7zz and clamd. The password field
 * comes after the file part, as vt-go sends it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { api, eicar, startServer, type TestServer } from '../support/server.js';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const run = promisify(execFile);

describe('password-protected ZIP uploads', () => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let work: string;

  /** Writes `files` into a fresh folder and zips them with 7zz (password `infected` unless told). */
  async function makeZip(name: string, files: Record<string, string>, switches = ['-pinfected', '-mem=AES256']): Promise<Buffer> {
    const dir = await mkdtemp(path.join(work, 'zip-'));
    for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content);
    await run('7zz', ['a', '-bd', '-y', '-tzip', ...switches, name, ...Object.keys(files)], { cwd: dir });
    return readFile(path.join(dir, name));
  }

  /** The file part first, then `password` (vt-go's order). */
  function uploadWithPassword(content: Buffer | string, name: string, password: string) {
    const form = new FormData();
    form.append('file', new Blob([content]), name);
    form.append('password', password);
    return admin.post('/files', form);
  }

  /** The blob store's staging area (a directory per process): a finished request leaves nothing there. */
  const staged = async () => {
    const root = path.join(server.dataDir, 'blobs', '.staging');
    const owners = await readdir(root);
    return (await Promise.all(owners.map(async (owner) => (await readdir(path.join(root, owner))).map((name) => `${owner}/${name}`)))).flat();
  };

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'assay-zip-e2e-'));
    await mkdir(work, { recursive: true });
    server = await startServer();
    admin = api(server, server.adminKey);
  });
  after(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('an AES ZIP of EICAR with the right password is analysed as EICAR; the ZIP is kept and linked both ways', async () => {
    const zip = await makeZip('sample.zip', { 'eicar.com': eicar() });
    const up = await uploadWithPassword(zip, 'sample.zip', 'infected');
    assert.equal(up.status, 200, up.text);
    assert.equal(up.json.data.type, 'analysis');
    const analysis = await admin.waitForAnalysis(up.json.data.id);
    assert.equal(analysis.meta.file_info.sha256, sha256(eicar()));
    assert.equal(analysis.data.attributes.results.ClamAV.category, 'malicious');
    assert.match(analysis.data.attributes.results.ClamAV.result, /EICAR/i);

    const file = await admin.get(`/files/${sha256(eicar())}`);
    assert.equal(file.status, 200);
    assert.ok(file.json.data.attributes.names.includes('eicar.com'));
    // The ZIP is a file too (VT keeps it), analysed, with the member among its bundled_files.
    const container = await admin.get(`/files/${sha256(zip)}`);
    assert.equal(container.status, 200);
    assert.deepEqual(container.json.data.attributes.names, ['sample.zip']);
    const zipAnalyses = await admin.get(`/files/${sha256(zip)}/analyses`);
    assert.equal(zipAnalyses.json.data.length, 1);
    await admin.waitForAnalysis(zipAnalyses.json.data[0].id);
    const parents = await admin.get(`/files/${sha256(eicar())}/compressed_parents`);
    assert.deepEqual(parents.json.data.map((f: { id: string }) => f.id), [sha256(zip)]);
    const bundled = await admin.get(`/files/${sha256(zip)}/relationships/bundled_files`);
    assert.deepEqual(bundled.json.data, [{ type: 'file', id: sha256(eicar()) }]);
    const submissions = await admin.get(`/files/${sha256(eicar())}/submissions`);
    assert.equal(submissions.json.data[0].attributes.name, 'eicar.com');
    assert.deepEqual(await staged(), []);
  });

  test('a ZipCrypto ZIP of two files submits both; the first file\'s analysis is returned', async () => {
    const first = `first contained file ${Date.now()}\n`;
    const second = `second contained file ${Date.now()}\n`;
    const zip = await makeZip('two.zip', { 'a-first.txt': first, 'b-second.txt': second }, ['-pinfected', '-mem=ZipCrypto']);
    const up = await uploadWithPassword(zip, 'two.zip', 'infected');
    assert.equal(up.status, 200, up.text);
    const analysis = await admin.waitForAnalysis(up.json.data.id);
    assert.equal(analysis.meta.file_info.sha256, sha256(first));
    const other = await admin.get(`/files/${sha256(second)}/analyses`);
    assert.equal(other.status, 200);
    assert.equal(other.json.data.length, 1);
    const otherFile = await admin.get(`/files/${sha256(second)}`);
    assert.deepEqual(otherFile.json.data.attributes.names, ['b-second.txt']);
  });

  test('the wrong password is a 400 BadRequestError and stores nothing', async () => {
    const inner = `never stored ${Date.now()}\n`;
    const zip = await makeZip('locked.zip', { 'inner.txt': inner });
    const res = await uploadWithPassword(zip, 'locked.zip', 'not-the-password');
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.json, { error: { code: 'BadRequestError', message: 'Wrong password for the ZIP archive' } });
    assert.equal((await admin.get(`/files/${sha256(inner)}`)).status, 404);
    assert.equal((await admin.get(`/files/${sha256(zip)}`)).status, 404);
    assert.deepEqual(await staged(), []);
  });

  test('a damaged ZIP with a password is a 400 BadRequestError', async () => {
    const res = await uploadWithPassword(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 7)]), 'broken.zip', 'infected');
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error.code, 'BadRequestError');
    assert.match(res.json.error.message, /ZIP archive/);
    assert.deepEqual(await staged(), []);
  });

  test('a file that is not a ZIP is analysed as uploaded; the password is ignored', async () => {
    const text = `plain text with a password ${Date.now()}\n`;
    const up = await uploadWithPassword(text, 'plain.txt', 'infected');
    assert.equal(up.status, 200, up.text);
    const analysis = await admin.waitForAnalysis(up.json.data.id);
    assert.equal(analysis.meta.file_info.sha256, sha256(text));
    const file = await admin.get(`/files/${sha256(text)}`);
    assert.deepEqual(file.json.data.attributes.names, ['plain.txt']);
  });

  test('a ZIP without a password is analysed as the ZIP itself', async () => {
    const zip = await makeZip('open.zip', { 'readme.txt': `readme ${Date.now()}\n` }, []);
    const up = await admin.upload(zip, 'open.zip');
    assert.equal(up.status, 200, up.text);
    const analysis = await admin.waitForAnalysis(up.json.data.id);
    assert.equal(analysis.meta.file_info.sha256, sha256(zip));
  });
});
