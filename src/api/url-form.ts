// Reads the `url` field of POST /urls from either form encoding: vt-py sends x-www-form-urlencoded, vt-go and vt-cli multipart/form-data.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.js';
import { MAX_URL_BYTES } from '../core/url-canonical.js';
import { nextPart } from './multipart.js';

/** Room for the whitespace the canonicaliser trims; a longer field cannot hold an acceptable URL. */
export const URL_FIELD_MAX_BYTES = MAX_URL_BYTES + 1024;

const FORM_EXAMPLE = 'url=<the URL>';

const missing = () => new AppError('InvalidArgumentError', `The "url" field is missing; send a form like ${FORM_EXAMPLE}`);
const tooLong = () => new AppError('InvalidArgumentError', `The "url" field is longer than ${URL_FIELD_MAX_BYTES} bytes`);

/** The submitted URL, as sent; the URL service judges it (InvalidArgumentError for a bad one). */
export async function readUrlForm(request: FastifyRequest): Promise<string> {
  if (request.isMultipart()) return readMultipartUrl(request);
  const type = String(request.headers['content-type'] ?? '');
  if (request.body === undefined || request.body === null) throw missing();
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new AppError('BadRequestError', 'Expected an application/x-www-form-urlencoded or multipart/form-data body with a "url" field');
  }
  const value = (request.body as Record<string, unknown>).url;
  if (value === undefined) throw missing();
  if (typeof value !== 'string') throw new AppError('InvalidArgumentError', 'Send exactly one "url" field');
  if (Buffer.byteLength(value, 'utf8') > URL_FIELD_MAX_BYTES) throw tooLong();
  return value;
}

/**
 * Fields only: a file part is refused by name. The field is capped, so a huge `url` is cut by the
 * parser and refused instead of being held in memory.
 */
async function readMultipartUrl(request: FastifyRequest): Promise<string> {
  let url: string | undefined;
  const parts = request.parts({ limits: { fieldSize: URL_FIELD_MAX_BYTES, fields: 8, files: 1, parts: 8, fileSize: 0 } })[Symbol.asyncIterator]();
  for (;;) {
    const next = await nextPart(parts);
    if (next.done) break;
    const part = next.value;
    if (part.type === 'file') {
      // Drained, so the parser can go on to the end of the body and the connection stays usable.
      part.file.resume();
      throw new AppError('BadRequestError', `Unexpected file part "${part.fieldname}"; send the URL as a plain "url" field`);
    }
    if (part.fieldname !== 'url') continue;
    if (part.valueTruncated) throw tooLong();
    if (url !== undefined) throw new AppError('InvalidArgumentError', 'Send exactly one "url" field');
    url = String(part.value);
  }
  if (url === undefined) throw missing();
  return url;
}
