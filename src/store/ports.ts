/**
 * Storage ports: the repositories and blob store the rest of Assay depends on. Adapters (sqlite,
 * postgres, blob-fs) implement them; one contract suite checks every adapter.
 */
import type { Readable } from 'node:stream';
import type { FileHashes, HashKind } from '../core/hashes.js';
import type { AnalysisStats, EngineResult } from '../core/verdict.js';

export type AnalysisStatus = 'queued' | 'in-progress' | 'completed';

export interface FileRecord extends FileHashes {
  size: number;
  names: string[];
  timesSubmitted: number;
  /** Unix seconds. */
  firstSubmissionDate: number;
  lastSubmissionDate: number;
  /** Analyzer attributes merged over time (magic, magika, ssdeep, tlsh, type_*, crowdsourced_yara_results...). */
  attributes: Record<string, unknown>;
  tags: string[];
  lastAnalysisId: string | null;
  lastAnalysisDate: number | null;
  lastAnalysisResults: EngineResult[] | null;
  lastAnalysisStats: AnalysisStats | null;
  reputation: number;
  totalVotes: { harmless: number; malicious: number };
}

export interface AnalysisRecord {
  id: string;
  itemType: 'file';
  /** sha256 of the file. */
  itemId: string;
  status: AnalysisStatus;
  /** Unix seconds of submission. */
  date: number;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Unix seconds of completion. */
  completedAt: number | null;
}

export interface FileSubmission extends FileHashes {
  size: number;
  /** File name given by the submitter, if any. */
  name?: string;
  /** Unix seconds. */
  at: number;
}

export interface FileAnalysisOutcome {
  analysisId: string;
  sha256: string;
  results: EngineResult[];
  stats: AnalysisStats;
  /** Attributes to merge into the file object (later keys replace earlier ones). */
  attributes: Record<string, unknown>;
  tags: string[];
  /** Unix seconds. */
  at: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  cursor?: string;
}

export interface FileRepository {
  /** Inserts the file, or bumps times_submitted, last_submission_date and adds the name. */
  recordSubmission(submission: FileSubmission): Promise<FileRecord>;
  findByHash(kind: HashKind, value: string): Promise<FileRecord | undefined>;
}

export interface AnalysisRepository {
  create(analysis: { id: string; itemType: 'file'; itemId: string; date: number }): Promise<AnalysisRecord>;
  get(id: string): Promise<AnalysisRecord | undefined>;
  /** queued -> in-progress; no-op when already in progress or completed. */
  markInProgress(id: string): Promise<void>;
  /**
   * Atomically completes the analysis and updates the file's last_analysis_* and attributes.
   * Returns false, changing nothing, when the analysis was already completed.
   */
  completeFileAnalysis(outcome: FileAnalysisOutcome): Promise<boolean>;
  /** Analyses of one item, newest first. */
  listForItem(itemId: string, options: { limit: number; cursor?: string }): Promise<Page<AnalysisRecord>>;
  /** Analyses not yet completed, oldest first (start-up reconciliation). */
  listUnfinished(limit: number): Promise<AnalysisRecord[]>;
}

export interface UserRecord {
  id: string;
  name: string;
  isAdmin: boolean;
  tier: string;
  active: boolean;
  /** Unix seconds. */
  createdAt: number;
}

export interface ApiKeyRecord {
  /** sha256 hex of the key; the key itself is never stored. */
  keyHash: string;
  userId: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface UserRepository {
  create(user: UserRecord): Promise<UserRecord>;
  get(id: string): Promise<UserRecord | undefined>;
  findByName(name: string): Promise<UserRecord | undefined>;
}

export interface ApiKeyRepository {
  create(key: ApiKeyRecord): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
}

/** Single-use upload URLs (GET /files/upload_url). */
export interface UploadTokenRepository {
  create(token: { tokenHash: string; userId: string; expiresAt: number }): Promise<void>;
  /** Marks the token used and returns its user; undefined when unknown, used or expired. */
  consume(tokenHash: string, now: number): Promise<{ userId: string } | undefined>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly files: FileRepository;
  readonly analyses: AnalysisRepository;
  readonly users: UserRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly uploadTokens: UploadTokenRepository;
  /** Applies pending forward-only migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/** A file being written into the blob store before its hash is known. */
export interface StagedBlob {
  /** Local path to write to. */
  path: string;
}

/** Content-addressed sample storage, keyed by sha256. */
export interface BlobStore {
  /** A fresh staging file on the same file system as the store (so commit is a rename). */
  stage(): Promise<StagedBlob>;
  /** Moves a staged file into place under its sha256; if present already, drops the staged copy. */
  commit(staged: StagedBlob, sha256: string): Promise<void>;
  /** Removes a staged file (failed or refused upload). Never throws for a missing file. */
  discard(staged: StagedBlob): Promise<void>;
  has(sha256: string): Promise<boolean>;
  /** A local path for plugins to read, and a release function for adapters that copy (S3). */
  acquireLocal(sha256: string): Promise<{ path: string; release(): Promise<void> }>;
  openRead(sha256: string): Promise<{ stream: Readable; size: number }>;
}
