// Reads VT's upload form: one `file` part and optional `password` and `private` fields, in any order.
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { AppServices, ReceivedUpload } from '../app/services.js';
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

export interface UploadForm {
  upload: ReceivedUpload;
  name?: string;
  password?: string;
  /** `private=true`: a private submission (private scanning). */
  private?: boolean;
}

/**
 * Streams the file part into staging through services.ingest.receive (never buffered here) and
 * keeps reading afterwards, since vt-go sends `password` after the file. Anything that fails after
 * the file was received discards it, so a refused request leaves nothing staged.
 */
export async function readUploadForm(request: FastifyRequest, ingest: AppServices['ingest'], maxBytes: number): Promise<UploadForm> {
  if (!request.isMultipart()) throw new AppError('BadRequestError', 'Expected a multipart/form-data body with a "file" part');
  let upload: ReceivedUpload | undefined;
  let name: string | undefined;
  let password: string | undefined;
  let isPrivate: boolean | undefined;
  // One byte over, so the receiver itself sees the excess and answers PayloadTooLargeError.
  const parts = request.parts({ limits: { fileSize: maxBytes + 1 } })[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await nextPart(parts);
      if (next.done) break;
      const part = next.value;
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw new AppError('BadRequestError', `Unexpected file part "${part.fieldname}"; send the file in the "file" part`);
        if (upload) throw new AppError('BadRequestError', 'Only one file can be submitted per request');
        upload = await ingest.receive(part.file, { maxBytes });
        name = part.filename || undefined;
      } else if (part.fieldname === 'password') {
        if (part.valueTruncated) throw new AppError('BadRequestError', 'The password field is too long');
        password = String(part.value) || undefined;
      } else if (part.fieldname === 'private') {
        isPrivate = parseFlag(String(part.value));
      }
      // Other fields are ignored, as VT does.
    }
    if (!upload) throw new AppError('BadRequestError', 'No file part: send the file in a multipart part named "file"');
    return { upload, name, password, ...(isPrivate === undefined ? {} : { private: isPrivate }) };
  } catch (error) {
    if (upload) await ingest.discard(upload).catch((e: unknown) => request.log.error({ err: e }, 'could not discard a staged upload'));
    throw error;
  }
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
