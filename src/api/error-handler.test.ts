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

  it('answers 503 TransientError, without internals, when a database, disk or Redis is unavailable', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { name: 'error', code, severity: 'FATAL' });
    const cases: unknown[] = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111 }),
      new Error('Connection terminated unexpectedly'),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is not yet accepting connections'),
      pgError('08006', 'connection failure'),
      pgError('53100', 'could not extend file: No space left on device'),
      Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' }),
      Object.assign(new Error('disk I/O error'), { name: 'SqliteError', code: 'SQLITE_IOERR_WRITE' }),
      Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/data/blobs/x' }),
      new Error('query failed', { cause: Object.assign(new Error('ECONNRESET'), { code: 'ECONNRESET' }) }),
    ];
    for (const error of cases) {
      const e = toAppError(error);
      assert.deepEqual([e.code, e.status], ['TransientError', 503], String(error));
      assert.doesNotMatch(e.message, /127\.0\.0\.1|\/data|device/);
    }
  });

  it('keeps real database errors (constraint, syntax) as 500', () => {
    const pgError = (code: string) => Object.assign(new Error('boom'), { name: 'error', code });
    assert.equal(toAppError(pgError('23505')).status, 500);
    assert.equal(toAppError(pgError('42601')).status, 500);
    assert.equal(toAppError(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })).status, 500);
  });

  it('hides the internals of unexpected errors', () => {
    const e = toAppError(new Error('ENOSPC at /var/secret'));
    assert.deepEqual([e.code, e.status, e.message], ['InternalError', 500, 'Internal server error']);
    assert.equal(toAppError(undefined).code, 'InternalError');
  });
});
