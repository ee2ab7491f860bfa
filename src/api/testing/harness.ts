// Test harness: an app over fake services, multipart bodies, and envelope assertions shared by route tests.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../config/config.js';
import { buildApp } from '../build-app.js';
import { apiKeys, createFakeServices, type FakeServices } from './fake-services.js';

export const BASE = 'https://assay.example';
export const KiB = 1024;

export interface TestApp {
  app: FastifyInstance;
  fake: FakeServices;
  config: Config;
  close(): Promise<void>;
}

export async function createTestApp(overrides: { maxUploadBytes?: number; maxLargeUploadBytes?: number } = {}): Promise<TestApp> {
  const fake = await createFakeServices();
  // An empty environment: tests must not pick up ASSAY_* from the shell.
  const config = loadConfig({ dataDir: fake.blobs.root, maxUploadBytes: 256 * KiB, maxLargeUploadBytes: 1024 * KiB, ...overrides }, {});
  const app = await buildApp({ services: fake, config, logger: false, publicBaseUrl: () => `${BASE}/` });
  return {
    app,
    fake,
    config,
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

export const admin = { 'x-apikey': apiKeys.admin };
export const alice = { 'x-apikey': apiKeys.alice };

export interface FormPart {
  name: string;
  content: string | Buffer;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body as vt-py and vt-go write it. */
export function multipart(parts: FormPart[], boundary = '----assay-test-boundary-7MA4YWxkTrZu0gW') {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(p.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export const filePart = (content: string | Buffer, filename = 'sample.bin'): FormPart => ({
  name: 'file',
  filename,
  content,
  contentType: 'application/octet-stream',
});

interface InjectedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
  json(): unknown;
}

/** Asserts the VT error envelope exactly: status, JSON content type, {"error":{code,message}}. */
export function assertError(response: InjectedResponse, status: number, code: string, message?: string | RegExp): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/json(;|$)/);
  const body = response.json() as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  if (typeof message === 'string') assert.equal(body.error.message, message);
  else if (message) assert.match(body.error.message, message);
}

export function assertOk(response: InjectedResponse): void {
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^application\/json(;|$)/);
}

interface CollectionBody {
  data: unknown[];
  meta: { cursor?: string };
  links: { self: string; next?: string };
}

/**
 * Follows links.next (as vt-go does) from `path` to the last page and returns every item, checking
 * on the way that each page is a VT collection whose cursor and next link come together, are never
 * given with an empty page, and are absent on the last page.
 */
export async function followPages(app: FastifyInstance, path: string, headers: Record<string, string>, maxPages = 50): Promise<unknown[]> {
  const items: unknown[] = [];
  let url: string | undefined = path;
  for (let pages = 0; url !== undefined; pages += 1) {
    assert.ok(pages < maxPages, `more than ${maxPages} pages from ${path}`);
    const res = await app.inject({ method: 'GET', url, headers });
    assertOk(res);
    const body = res.json() as CollectionBody;
    assert.deepEqual(Object.keys(body).sort(), ['data', 'links', 'meta']);
    assert.ok(body.links.self.startsWith(`${BASE}/api/v3/`), body.links.self);
    items.push(...body.data);
    if (body.links.next === undefined) {
      assert.equal(body.meta.cursor, undefined, 'the last page has no cursor');
      break;
    }
    assert.ok(body.data.length > 0, 'never a cursor with an empty page');
    const next = new URL(body.links.next);
    assert.equal(`${next.origin}`, BASE, 'links.next is absolute on the public base');
    assert.equal(next.searchParams.get('cursor'), body.meta.cursor);
    url = `${next.pathname}${next.search}`;
  }
  return items;
}
