/** The SQL schema as Kysely sees it: one typed row per table, shared by the SQLite and PostgreSQL adapters. */

/**
 * JSON columns hold JSON text in both dialects, so one codec reads them everywhere. Dates are
 * integers: Unix seconds for domain rows, milliseconds for the jobs table (leases need sub-second).
 */
type JsonText = string;

export interface FilesTable {
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
  /** JSON array of distinct submitted names. */
  names: JsonText;
  times_submitted: number;
  first_submission_date: number;
  last_submission_date: number;
  attributes: JsonText;
  tags: JsonText;
  last_analysis_id: string | null;
  last_analysis_date: number | null;
  last_analysis_results: JsonText | null;
  last_analysis_stats: JsonText | null;
  reputation: number;
  total_votes: JsonText;
}

export interface AnalysesTable {
  id: string;
  item_type: 'file';
  item_id: string;
  status: 'queued' | 'in-progress' | 'completed';
  date: number;
  results: JsonText;
  stats: JsonText;
  completed_at: number | null;
}

export interface UsersTable {
  id: string;
  name: string;
  /** 0 or 1: an integer in both dialects so one query binds it. */
  is_admin: number;
  tier: string;
  active: number;
  created_at: number;
}

export interface ApiKeysTable {
  key_hash: string;
  user_id: string;
  created_at: number;
  revoked_at: number | null;
}

export interface UploadTokensTable {
  token_hash: string;
  user_id: string;
  expires_at: number;
  used_at: number | null;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: string;
  kind: string;
  payload: JsonText;
  status: JobStatus;
  attempts: number;
  lease_owner: string | null;
  /** Milliseconds. */
  lease_until: number | null;
  /** Milliseconds; a pending job is not claimed before this. */
  run_after: number;
  last_error: string | null;
  /** Milliseconds. */
  created_at: number;
}

export interface Database {
  files: FilesTable;
  analyses: AnalysesTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  upload_tokens: UploadTokensTable;
  jobs: JobsTable;
}

export type SqlDialect = 'sqlite' | 'postgres';
