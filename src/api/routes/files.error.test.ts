// Files endpoints, failures: each answers the catalogue's status and code in VT's error envelope.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { admin, alice, assertError, createTestApp, filePart, KiB, multipart, type TestApp } from '../testing/harness.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('files: errors', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });
  beforeEach(() => {
    t.fake.state.submissions.length = 0;
  });

  const post = (payload: Buffer | string, contentType: string | undefined, url = '/api/v3/files', headers: Record<string, string> = admin) =>
    t.app.inject({ method: 'POST', url, payload, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers } });

  /** Nothing staged and nothing submitted: the refused upload left no trace. */
  async function assertNothingLeft(): Promise<void> {
    assert.deepEqual(await t.fake.blobs.staged(), []);
    assert.deepEqual(t.fake.state.submissions, []);
  }

  describe('uploads', () => {
    it('over maxUploadBytes: 413 PayloadTooLargeError, nothing staged', async () => {
      const body = multipart([filePart(randomBytes(t.config.maxUploadBytes + 1))]);
      const res = await post(body.payload, body.headers['content-type']);
      assertError(res, 413, 'PayloadTooLargeError', `The file is larger than the limit of ${t.config.maxUploadBytes} bytes`);
      await assertNothingLeft();
    });

    it('over maxLargeUploadBytes through an upload URL: 413, nothing staged', async () => {
      const url = ((await t.app.inject({ method: 'GET', url: '/api/v3/files/upload_url', headers: admin })).json() as Json).data;
      const body = multipart([filePart(randomBytes(t.config.maxLargeUploadBytes + 5 * KiB))]);
      const res = await post(body.payload, body.headers['content-type'], new URL(url).pathname, {});
      assertError(res, 413, 'PayloadTooLargeError');
      await assertNothingLeft();
    });

    it('an empty file: 400 BadRequestError, nothing staged', async () => {
      const body = multipart([filePart('')]);
      assertError(await post(body.payload, body.headers['content-type']), 400, 'BadRequestError', 'The file is empty');
      await assertNothingLeft();
    });

    it('no file part: 400 BadRequestError', async () => {
      const body = multipart([{ name: 'password', content: 'infected' }]);
      assertError(await post(body.payload, body.headers['content-type']), 400, 'BadRequestError', /No file part/);
      await assertNothingLeft();
    });

    it('an empty multipart body: 400 BadRequestError', async () => {
      assertError(await post('', 'multipart/form-data; boundary=xyz'), 400, 'BadRequestError', /No file part/);
    });

    it('the file under another field name: 400 BadRequestError', async () => {
      const body = multipart([{ name: 'upload', filename: 'a.bin', content: 'abc', contentType: 'application/octet-stream' }]);
      assertError(await post(body.payload, body.headers['content-type']), 400, 'BadRequestError', /"upload"/);
      await assertNothingLeft();
    });

    it('two files: 400 BadRequestError, and the first one is discarded', async () => {
      const body = multipart([filePart('first'), filePart('second')]);
      assertError(await post(body.payload, body.headers['content-type']), 400, 'BadRequestError', 'Only one file can be submitted per request');
      await assertNothingLeft();
    });

    it('malformed multipart (truncated, no closing boundary): 400 BadRequestError, nothing staged', async () => {
      const body = multipart([filePart(randomBytes(10 * KiB))]);
      const truncated = body.payload.subarray(0, body.payload.length - 200);
      assertError(await post(truncated, body.headers['content-type']), 400, 'BadRequestError');
      await assertNothingLeft();
    });

    it('malformed multipart (garbage instead of parts): 400 BadRequestError', async () => {
      assertError(await post('this is not multipart at all', 'multipart/form-data; boundary=abc'), 400, 'BadRequestError');
      await assertNothingLeft();
    });

    it('multipart without a boundary: 400 BadRequestError', async () => {
      assertError(await post('--x\r\n', 'multipart/form-data'), 400, 'BadRequestError');
    });

    it('not multipart (JSON): 400 BadRequestError', async () => {
      assertError(await post('{"data":1}', 'application/json'), 400, 'BadRequestError', 'Expected a multipart/form-data body with a "file" part');
    });

    it('not multipart (raw bytes, an unsupported media type): 400 BadRequestError rather than 415', async () => {
      assertError(await post(randomBytes(100), 'application/octet-stream'), 400, 'BadRequestError');
      assertError(await post('hello', 'text/plain'), 400, 'BadRequestError');
    });

    it('a used upload URL: 404 NotFoundError', async () => {
      const url = ((await t.app.inject({ method: 'GET', url: '/api/v3/files/upload_url', headers: admin })).json() as Json).data;
      const path = new URL(url).pathname;
      const body = multipart([filePart('once')]);
      assert.equal((await post(body.payload, body.headers['content-type'], path, {})).statusCode, 200);
      assertError(await post(body.payload, body.headers['content-type'], path, {}), 404, 'NotFoundError');
      assertError(await post(body.payload, body.headers['content-type'], '/api/v3/files/upload/not-a-token', {}), 404, 'NotFoundError');
    });

    it('a refusal by the use case after receiving discards the staged upload', async () => {
      const original = t.fake.files.submit;
      // The form is read (the file received into staging), then the use case fails.
      t.fake.files.submit = (readForm, options) =>
        original(async (receive) => {
          await readForm(receive);
          throw new Error('database is down');
        }, options);
      try {
        const body = multipart([filePart('accepted by ingest, refused by submit')]);
        assertError(await post(body.payload, body.headers['content-type']), 500, 'InternalError', 'Internal server error');
        assert.deepEqual(await t.fake.blobs.staged(), []);
      } finally {
        t.fake.files.submit = original;
      }
    });
  });

  describe('lookups', () => {
    it('a malformed hash: 400 InvalidArgumentError', async () => {
      for (const url of ['/api/v3/files/xyz', '/api/v3/files/abc123/analyses', '/api/v3/files/zz/download', '/api/v3/files/1234/relationships/analyses']) {
        assertError(await t.app.inject({ method: 'GET', url, headers: admin }), 400, 'InvalidArgumentError', /is not a valid file hash/);
      }
      assertError(await t.app.inject({ method: 'POST', url: '/api/v3/files/nothex/analyse', headers: admin }), 400, 'InvalidArgumentError');
    });

    it('an unknown file: 404 NotFoundError with VT\'s message', async () => {
      const hash = 'a'.repeat(64);
      assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${hash}`, headers: admin }), 404, 'NotFoundError', `File "${hash}" not found`);
      assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${'b'.repeat(32)}/analyses`, headers: admin }), 404, 'NotFoundError');
      assertError(await t.app.inject({ method: 'POST', url: `/api/v3/files/${'c'.repeat(40)}/analyse`, headers: admin }), 404, 'NotFoundError');
    });

    it('an unknown relationship: 400 InvalidArgumentError in every form', async () => {
      const id = t.fake.seedFile(Buffer.from('rel')).sha256;
      // Every name VT has answers (files.relationships.test.ts); only others are refused.
      for (const url of [`/api/v3/files/${id}/communicating_files`, `/api/v3/files/${id}/relationships/not_a_relationship`, `/api/v3/files/${id}?relationships=analyses,resolutions`]) {
        assertError(await t.app.inject({ method: 'GET', url, headers: admin }), 400, 'InvalidArgumentError', /Unknown relationship "(communicating_files|not_a_relationship|resolutions)" for file objects/);
      }
    });

    it('a bad limit: 400 InvalidArgumentError', async () => {
      const id = t.fake.seedFile(Buffer.from('limits')).sha256;
      for (const limit of ['0', '-3', 'ten']) {
        assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}/analyses?limit=${limit}`, headers: admin }), 400, 'InvalidArgumentError');
      }
    });

    it('a download by a non-admin: 403 ForbiddenError', async () => {
      const id = t.fake.seedFile(Buffer.from('secret sample')).sha256;
      assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${id}/download`, headers: alice }), 403, 'ForbiddenError');
    });
  });

  describe('framework failures keep the envelope', () => {
    it('an unknown route: 404 NotFoundError', async () => {
      assertError(await t.app.inject({ method: 'GET', url: '/api/v3/nothing/here', headers: admin }), 404, 'NotFoundError', 'No such endpoint: GET /api/v3/nothing/here');
      assertError(await t.app.inject({ method: 'DELETE', url: '/api/v3/files/x' }), 404, 'NotFoundError');
    });

    it('malformed JSON: 400 BadRequestError', async () => {
      const id = t.fake.seedFile(Buffer.from('json')).sha256;
      assertError(await post('{"data":', 'application/json', `/api/v3/files/${id}/analyse`), 400, 'BadRequestError', /Malformed JSON body/);
    });

    it('a JSON body over the body limit: 413 PayloadTooLargeError', async () => {
      const id = t.fake.seedFile(Buffer.from('big json')).sha256;
      const big = JSON.stringify({ data: 'x'.repeat(2 * 1024 * 1024) });
      assertError(await post(big, 'application/json', `/api/v3/files/${id}/analyse`), 413, 'PayloadTooLargeError');
    });

    it('a malformed URL escape: 400 BadRequestError', async () => {
      assertError(await t.app.inject({ method: 'GET', url: '/api/v3/files/%E0%A4%A', headers: admin }), 400, 'BadRequestError');
    });

    it('an unexpected failure: 500 InternalError with the envelope and no internals', async () => {
      const original = t.fake.files.get;
      t.fake.files.get = async () => {
        throw new Error('secret stack detail');
      };
      try {
        const res = await t.app.inject({ method: 'GET', url: `/api/v3/files/${'d'.repeat(64)}`, headers: admin });
        assertError(res, 500, 'InternalError', 'Internal server error');
        assert.doesNotMatch(res.body, /secret/);
      } finally {
        t.fake.files.get = original;
      }
    });

    it('a 503 from a use case keeps its code (vt-go reads error.code on 5xx too)', async () => {
      const { AppError } = await import('../../core/errors.js');
      const original = t.fake.files.get;
      t.fake.files.get = async () => {
        throw new AppError('TransientError', 'Store is restarting');
      };
      try {
        assertError(await t.app.inject({ method: 'GET', url: `/api/v3/files/${'e'.repeat(64)}`, headers: admin }), 503, 'TransientError', 'Store is restarting');
      } finally {
        t.fake.files.get = original;
      }
    });
  });
});
