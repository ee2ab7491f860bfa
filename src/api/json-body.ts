// Reads VT-style JSON request bodies: {"data": {"type", "attributes"}} for objects, {"data": value} for plain values.
import { AppError } from '../core/errors.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `data` of the body; a missing or non-object body is BadRequestError (malformed JSON already is, in build-app.ts). */
function dataOf(body: unknown, example: string): unknown {
  if (!isRecord(body) || !('data' in body)) throw new AppError('BadRequestError', `Expected a JSON body like ${example}`);
  return body.data;
}

/**
 * The attributes of an object posted as {"data": {"type": type, "attributes": {...}}}. The envelope
 * being wrong is BadRequestError; `type` may be left out, but not be another type.
 */
export function postedAttributes(body: unknown, type: string, example: string): Record<string, unknown> {
  const data = dataOf(body, example);
  if (!isRecord(data)) throw new AppError('BadRequestError', `"data" must be an object like ${example}`);
  if (data.type !== undefined && data.type !== type) throw new AppError('BadRequestError', `"data.type" must be "${type}"`);
  if (!isRecord(data.attributes)) throw new AppError('BadRequestError', `"data.attributes" must be an object like ${example}`);
  return data.attributes;
}

/** A string attribute that must be there; missing or of another type is InvalidArgumentError. */
export function stringAttribute(attributes: Record<string, unknown>, name: string): string {
  const value = attributes[name];
  if (typeof value !== 'string') throw new AppError('InvalidArgumentError', `"data.attributes.${name}" must be a string`);
  return value;
}

/** The string posted as {"data": "..."}. */
export function postedString(body: unknown, example: string): string {
  const data = dataOf(body, example);
  if (typeof data !== 'string') throw new AppError('BadRequestError', `"data" must be a string, as in ${example}`);
  return data;
}
