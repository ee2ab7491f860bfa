// Turns every failure, ours or Fastify's, into VT's {"error":{code,message}} with the catalogue's status.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorCatalogue, isAppError, type ErrorCode } from '../core/errors.js';
import { isBackendUnavailable } from './backend-unavailable.js';
import { errorBody } from './envelope.js';

/** Fastify and plugin error codes whose meaning is clearer than their HTTP status. */
const codeByFastifyCode: Record<string, { code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'BadRequestError', message: 'Unsupported Content-Type for this endpoint' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BadRequestError' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BadRequestError' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BadRequestError' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PayloadTooLargeError' },
  FST_ERR_BAD_URL: { code: 'BadRequestError' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { code: 'BadRequestError', message: 'Expected a multipart/form-data body' },
  FST_REQ_FILE_TOO_LARGE: { code: 'PayloadTooLargeError', message: 'The file is larger than the upload limit' },
  FST_PARTS_LIMIT: { code: 'PayloadTooLargeError', message: 'Too many parts in the multipart body' },
  FST_FILES_LIMIT: { code: 'PayloadTooLargeError', message: 'Too many files in the multipart body' },
  FST_FIELDS_LIMIT: { code: 'PayloadTooLargeError', message: 'Too many fields in the multipart body' },
  FST_PROTO_VIOLATION: { code: 'BadRequestError' },
  FST_INVALID_JSON_FIELD_ERROR: { code: 'BadRequestError' },
  FST_MP_PREMATURE_CLOSE: { code: 'BadRequestError' },
};

/** Otherwise the HTTP status picks the code. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
      return 'AuthenticationRequiredError';
    case 403:
      return 'ForbiddenError';
    case 404:
      return 'NotFoundError';
    case 409:
      return 'AlreadyExistsError';
    case 413:
      return 'PayloadTooLargeError';
    case 424:
      return 'FailedDependencyError';
    case 429:
      return 'TooManyRequestsError';
    case 503:
      return 'TransientError';
    case 504:
      return 'DeadlineExceededError';
    default:
      return status >= 400 && status < 500 ? 'BadRequestError' : 'InternalError';
  }
}

/** Any thrown value as an AppError; internals of unexpected errors are not shown to the client. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const e = (error ?? {}) as Partial<FastifyError> & { validation?: unknown };
  if (e.validation) return new AppError('InvalidArgumentError', e.message ?? 'Invalid request parameter', { cause: error });
  const known = e.code ? codeByFastifyCode[e.code] : undefined;
  if (known) return new AppError(known.code, known.message ?? e.message ?? known.code, { cause: error });
  // A database, disk or Redis that is down or full is a retryable 503, not a server bug.
  if (isBackendUnavailable(error)) return new AppError('TransientError', 'A storage service is unavailable; try again later', { cause: error });
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  const code = codeForStatus(status);
  const message = errorCatalogue[code].status >= 500 ? 'Internal server error' : (e.message ?? code);
  return new AppError(code, message, { cause: error });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const appError = toAppError(error);
  if (appError.status >= 500) request.log.error({ err: error, code: appError.code }, 'request failed');
  else request.log.info({ code: appError.code, reason: appError.message }, 'request refused');
  if (reply.sent || reply.raw.headersSent) {
    // A streamed download failed midway: the status is gone, only cutting the connection tells the client.
    reply.raw.destroy();
    return reply;
  }
  return reply
    .code(appError.status)
    .headers(appError.headers)
    .type('application/json; charset=utf-8')
    .send(errorBody(appError.code, appError.message));
}

/** Installs the handlers on the root instance so every route and plugin shares them. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new AppError('NotFoundError', `No such endpoint: ${request.method} ${request.url.split('?')[0]}`)),
  );
}

/** For Fastify's `frameworkErrors` option: errors raised before routing (bad URL encoding). */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendError(request, reply, error);
}

/** For Fastify's `clientErrorHandler`: malformed HTTP that never became a request still gets JSON. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy(error);
    return;
  }
  const body = JSON.stringify(errorBody('BadRequestError', `Malformed HTTP request (${error.code ?? error.message})`));
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
