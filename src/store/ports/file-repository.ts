/** Storage port for file objects: recording submissions and finding files by hash. */
import type { FileHashes, HashKind } from '../../core/hashes.js';
import type { FileObject } from '../../core/model/file.js';

export interface FileSubmission extends FileHashes {
  size: number;
  /** File name given by the submitter, if any. */
  name?: string;
  /** Unix seconds. */
  at: number;
}

export interface FileRepository {
  /** Inserts the file, or bumps times_submitted, last_submission_date and adds the name. */
  recordSubmission(submission: FileSubmission): Promise<FileObject>;
  findByHash(kind: HashKind, value: string): Promise<FileObject | undefined>;
}
