// Reads VT's upload form: one `file` part and optional `password` and `private` fields, in any order.
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { ReceiveFile, UploadFields } from '../app/services.js';
import { AppError } from '../core/errors.js';

/** Limits for the non-file parts; the file's own limit is set per route. */
export const multipartLimits = {
  fieldSize: 64 * 1024,
  fields: 16,
  // Two, so a second file reaches the handler and is refused as a BadRequestError by name.
  files: 2,
  parts: 32,
  headerPairs: 64,
};

/**
 * Streams the file part into staging through `receive` (never buffered here) and keeps reading
 * afterwards, since vt-go sends `password` after the file. `private=true` asks for a private
 * submission (private scanning). What was received belongs to the use case, which discards it when
 * this throws.
 */
export async function readUploadForm(request: FastifyRequest, receive: ReceiveFile, maxBytes: number): Promise<UploadFields> {
  if (!request.isMultipart()) throw new AppError('BadRequestError', 'Expected a multipart/form-data body with a "file" part');
  let received = false;
  let name: string | undefined;
  let password: string | undefined;
  let isPrivate: boolean | undefined;
  // One byte over, so the receiver itself sees the excess and answers PayloadTooLargeError.
  const parts = request.parts({ limits: { fileSize: maxBytes + 1 } })[Symbol.asyncIterator]();
  for (;;) {
    const next = await nextPart(parts);
    if (next.done) break;
    const part = next.value;
    if (part.type === 'file') {
      if (part.fieldname !== 'file') throw new AppError('BadRequestError', `Unexpected file part "${part.fieldname}"; send the file in the "file" part`);
      if (received) throw new AppError('BadRequestError', 'Only one file can be submitted per request');
      await receive(part.file);
      received = true;
      name = part.filename || undefined;
    } else if (part.fieldname === 'password') {
      if (part.valueTruncated) throw new AppError('BadRequestError', 'The password field is too long');
      password = String(part.value) || undefined;
    } else if (part.fieldname === 'private') {
      isPrivate = parseFlag(String(part.value));
    }
    // Other fields are ignored, as VT does.
  }
  if (!received) throw new AppError('BadRequestError', 'No file part: send the file in a multipart part named "file"');
  return { name, password, ...(isPrivate === undefined ? {} : { private: isPrivate }) };
}

/** A form boolean as clients send it: true/false, 1/0, yes/no; anything else is refused rather than guessed. */
function parseFlag(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === '') return false;
  throw new AppError('InvalidArgumentError', `"private" must be true or false, not "${value.slice(0, 20)}"`);
}

/** Parser failures without a status (busboy's "Malformed part header" and the like) are the client's. */
export async function nextPart(parts: AsyncIterator<Multipart>): Promise<IteratorResult<Multipart>> {
  try {
    return await parts.next();
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (error instanceof AppError || typeof status === 'number') throw error;
    throw new AppError('BadRequestError', `Malformed multipart body: ${(error as Error).message}`, { cause: error });
  }
}
