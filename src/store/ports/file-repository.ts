/** Storage port for file objects: recording submissions and finding files by hash. */
import type { FileHashes, HashKind } from '../../core/hashes.js';
import type { FileObject } from '../../core/model/file.js';

export interface FileSubmission extends FileHashes {
  size: number;
  /** File name given by the submitter, if any. */
  name?: string;
  /** Unix seconds. */
  at: number;
  /**
   * Who the submission is visible to: `*` (the default) or a private owner. Private submissions
   * are counted per owner, apart from the public counts on the file object.
   */
  owner?: string;
}

/** Submissions of a file by one or more private owners, added up. */
export interface SubmissionCounts {
  timesSubmitted: number;
  /** Unix seconds. */
  firstSubmissionDate: number;
  lastSubmissionDate: number;
}

export interface FileRepository {
  /**
   * Inserts the file, or bumps times_submitted, last_submission_date and adds the name. A private
   * submission (owner not `*`) is counted under its owner instead: the file object's counts and
   * dates are those of public submissions only (times_submitted 0 while there are none).
   */
  recordSubmission(submission: FileSubmission): Promise<FileObject>;
  /** The private submissions of the file by any of `owners`; undefined when there are none. */
  privateSubmissions(sha256: string, owners: readonly string[]): Promise<SubmissionCounts | undefined>;
  findByHash(kind: HashKind, value: string): Promise<FileObject | undefined>;
}
