/**
 * Fuzz targets for the forms: mutated multipart bodies (and content types) injected into
 * POST /api/v3/files of the API over fake services, with the real receiver and staging, and
 * mutated URL forms (multipart and urlencoded) into POST /api/v3/urls.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { admin, createTestApp, filePart, multipart, type TestApp } from '../../../src/api/testing/harness.js';
import { fuzzTarget, mutationsOf } from '../support/fuzz-target.js';

const BOUNDARY = '----assay-fuzz-boundary-x1';
const CONTENT_TYPES = [
  `multipart/form-data; boundary=${BOUNDARY}`,
  `multipart/form-data; boundary="${BOUNDARY}"`,
  `MULTIPART/FORM-DATA;boundary=${BOUNDARY};charset=utf-8`,
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=other',
  'application/octet-stream',
  'text/plain',
];
const MAX_UPLOAD = 4 * 1024;

const seeds = [
  multipart([filePart('plain upload')], BOUNDARY).payload,
  multipart([{ name: 'password', content: 'secret' }, filePart(Buffer.alloc(100, 1), 'a b"c.exe'), { name: 'private', content: 'true' }], BOUNDARY).payload,
  multipart([filePart('one'), filePart('two')], BOUNDARY).payload,
  multipart([{ name: 'other', content: 'x', filename: 'o.bin' }, { name: 'private', content: 'maybe' }], BOUNDARY).payload,
  multipart([filePart(Buffer.alloc(MAX_UPLOAD + 10, 2))], BOUNDARY).payload,
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''%E2%82%AC.txt\r\nContent-Type: text/plain\r\n\r\nx\r\n--${BOUNDARY}--`),
];

const URL_FORM_TYPES = [`multipart/form-data; boundary=${BOUNDARY}`, 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/json', 'text/plain'];
const urlFormSeeds = [
  multipart([{ name: 'url', content: 'http://example.test/a?b=c' }], BOUNDARY).payload,
  multipart([{ name: 'url', content: 'http://a.test/' }, { name: 'url', content: 'http://b.test/' }], BOUNDARY).payload,
  multipart([filePart('not a url')], BOUNDARY).payload,
  Buffer.from('url=http%3A%2F%2Fexample.test%2F%3Fq%3D1&other=x'),
  Buffer.from('url=a&url=b&url[]=c&url[x]=d'),
];

export const targets = {
  'multipart-upload': fuzzTarget({
    setup: async (): Promise<TestApp> => {
      const test = await createTestApp({ maxUploadBytes: MAX_UPLOAD });
      const ok = await test.app.inject({ method: 'POST', url: '/api/v3/files', headers: { ...admin, 'content-type': CONTENT_TYPES[0]! }, payload: seeds[0]! });
      assert.equal(ok.statusCode, 200, `the seed form is accepted: ${ok.body}`);
      return test;
    },
    teardown: async (app) => app.close(),
    // The first byte picks the content type (mostly the right one), the rest is the body.
    inputs: () => fc.tuple(fc.integer({ min: 0, max: 255 }), fc.oneof(mutationsOf(seeds), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)))).map(([t, body]) => Buffer.concat([Buffer.from([t]), body])),
    check: async (input, { app, fake }) => {
      const t = input[0] ?? 0;
      const contentType = CONTENT_TYPES[t < 160 ? 0 : t % CONTENT_TYPES.length]!;
      // Odd selectors stream the body in small chunks, so part boundaries fall across reads.
      const body = input.subarray(1);
      const chunk = 1 + (t % 61);
      const payload = t % 2 === 1 ? Readable.from(Array.from({ length: Math.ceil(body.length / chunk) }, (_, i) => body.subarray(i * chunk, (i + 1) * chunk))) : body;
      const response = await app.inject({ method: 'POST', url: '/api/v3/files', headers: { ...admin, 'content-type': contentType }, payload });
      assert.ok([200, 400, 413, 415].includes(response.statusCode), `status ${response.statusCode}: ${response.body}`);
      const json = response.json() as { data?: { type: string }; error?: { code: string; message: string } };
      if (response.statusCode === 200) assert.equal(json.data?.type, 'analysis');
      else {
        assert.equal(typeof json.error?.code, 'string', response.body);
        assert.equal(typeof json.error?.message, 'string');
      }
      // An accepted upload is committed, a refused one discarded: nothing stays in staging.
      assert.deepEqual(await fake.blobs.staged(), []);
    },
    shortRuns: 300,
  }),

  'url-form': fuzzTarget({
    setup: async (): Promise<TestApp> => {
      const test = await createTestApp();
      const ok = await test.app.inject({ method: 'POST', url: '/api/v3/urls', headers: { ...admin, 'content-type': URL_FORM_TYPES[1]! }, payload: urlFormSeeds[3]! });
      assert.equal(ok.statusCode, 200, `the seed form is accepted: ${ok.body}`);
      return test;
    },
    teardown: async (app) => app.close(),
    // The first byte picks the content type, the rest is the body.
    inputs: () => fc.tuple(fc.integer({ min: 0, max: 255 }), fc.oneof(mutationsOf(urlFormSeeds), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)))).map(([t, body]) => Buffer.concat([Buffer.from([t]), body])),
    check: async (input, { app }) => {
      const t = input[0] ?? 0;
      const contentType = URL_FORM_TYPES[t % URL_FORM_TYPES.length]!;
      const response = await app.inject({ method: 'POST', url: '/api/v3/urls', headers: { ...admin, 'content-type': contentType }, payload: input.subarray(1) });
      assert.ok([200, 400, 413, 415].includes(response.statusCode), `status ${response.statusCode}: ${response.body}`);
      const json = response.json() as { data?: { type: string; id: string }; error?: { code: string } };
      if (response.statusCode === 200) assert.equal(json.data?.type, 'analysis');
      else assert.equal(typeof json.error?.code, 'string', response.body);
    },
    shortRuns: 300,
  }),
};
