/**
 * Opens a password-protected ZIP (VT's "password to decompress and scan a file contained in a
 * protected ZIP file") and stages every file inside it. Refusals come before anything is staged.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../core/errors.js';
import { isUnpackError, type UnpackedFile, type Unpacker, type UnpackError } from '../../core/unpacker.js';
import type { StagedFile } from './staged-file.js';

export interface ZipMember {
  file: StagedFile;
  /** Its path inside the archive. */
  name: string;
}

export interface UnpackZipDeps {
  unpacker: Unpacker;
  limits: { maxTotalBytes: number; maxEntries: number };
  workDir: string;
  fromPath(localPath: string): Promise<StagedFile>;
  discard(file: StagedFile): Promise<void>;
}

export async function unpackZip(deps: UnpackZipDeps, archive: string, password: string): Promise<ZipMember[]> {
  const readiness = deps.unpacker.status();
  if (!readiness.ready) throw cannotUnpack(readiness.detail ?? 'no archive unpacker is configured');
  const scratch = await mkdtemp(path.join(deps.workDir, 'unpack-'));
  const members: ZipMember[] = [];
  try {
    let unpacked: UnpackedFile[];
    try {
      unpacked = await deps.unpacker.unpack(archive, { password, destDir: path.join(scratch, 'files'), ...deps.limits });
    } catch (error) {
      if (isUnpackError(error)) throw unpackRefusal(error);
      throw error;
    }
    // An empty file is refused as an upload too; it is not worth an analysis.
    const files = unpacked.filter((f) => f.size > 0);
    if (files.length === 0) throw new AppError('BadRequestError', 'The ZIP archive contains no file to analyse');
    for (const file of files) members.push({ file: await deps.fromPath(file.path), name: file.name });
    return members;
  } catch (error) {
    for (const member of members) await deps.discard(member.file);
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Client-facing refusals of a password-protected ZIP; all 400s, since retrying the same ZIP cannot help. */
function unpackRefusal(error: UnpackError): AppError {
  switch (error.reason) {
    case 'wrong_password':
      return new AppError('BadRequestError', 'Wrong password for the ZIP archive', { cause: error });
    case 'unavailable':
      return cannotUnpack(error.message, error);
    default:
      return new AppError('BadRequestError', error.message.replace(/^The archive\b/, 'The ZIP archive'), { cause: error });
  }
}

function cannotUnpack(detail: string, cause?: unknown): AppError {
  return new AppError('BadRequestError', `This server cannot unpack archives: ${detail}`, { cause });
}
