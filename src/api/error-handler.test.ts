// Mapping thrown values to catalogue errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../core/errors.js';
import { toAppError } from './error-handler.js';

const fastifyError = (code: string, statusCode: number, message = 'm') => Object.assign(new Error(message), { code, statusCode });

describe('toAppError', () => {
  it('keeps AppErrors as they are', () => {
    const e = new AppError('QuotaExceededError', 'q');
    assert.equal(toAppError(e), e);
  });

  it('maps Fastify and multipart codes to the catalogue', () => {
    const cases: Array<[string, number, string, number]> = [
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'BadRequestError', 400],
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PayloadTooLargeError', 413],
      ['FST_INVALID_MULTIPART_CONTENT_TYPE', 406, 'BadRequestError', 400],
      ['FST_REQ_FILE_TOO_LARGE', 413, 'PayloadTooLargeError', 413],
      ['FST_FILES_LIMIT', 413, 'PayloadTooLargeError', 413],
      ['FST_SOMETHING_NEW', 418, 'BadRequestError', 400],
      ['FST_SOMETHING_ELSE', 503, 'TransientError', 503],
    ];
    for (const [code, status, expected, expectedStatus] of cases) {
      const e = toAppError(fastifyError(code, status));
      assert.deepEqual([e.code, e.status], [expected, expectedStatus], code);
    }
  });

  it('turns validation failures into InvalidArgumentError with the validator message', () => {
    const e = toAppError(Object.assign(new Error('querystring/limit must be >= 1'), { validation: [{}], statusCode: 400 }));
    assert.deepEqual([e.code, e.message], ['InvalidArgumentError', 'querystring/limit must be >= 1']);
  });

  it('hides the internals of unexpected errors', () => {
    const e = toAppError(new Error('ENOSPC at /var/secret'));
    assert.deepEqual([e.code, e.status, e.message], ['InternalError', 500, 'Internal server error']);
    assert.equal(toAppError(undefined).code, 'InternalError');
  });
});
