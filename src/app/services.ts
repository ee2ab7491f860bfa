/**
 * The use cases the API and CLI call, as one typed surface. Implemented in app/, built in
 * bootstrap/; the API depends on this interface only.
 */
import type { Readable } from 'node:stream';
import type { FileHashes } from '../core/hashes.js';
import type { PluginManifest, Readiness } from '../core/plugin.js';
import type { AnalysisRecord, FileRecord, Page } from '../store/ports.js';
import type { Principal } from './principal.js';

/** An upload received into the blob store's staging area, hashed, not yet accepted. */
export interface ReceivedUpload extends FileHashes {
  size: number;
  /** Opaque handle for accept/discard. */
  stagingPath: string;
}

export interface PluginStatus {
  kind: 'engine' | 'analyzer';
  manifest: PluginManifest;
  readiness: Readiness;
}

export interface AppServices {
  auth: {
    /** Resolves an x-apikey value; throws AppError AuthenticationRequiredError / WrongCredentialsError / UserNotActiveError. */
    authenticate(apiKey: string | undefined): Promise<Principal>;
    /**
     * Seam for tiers and quotas: called once per counted request with its endpoint group
     * (e.g. `files`, `analyses`, `file_download`). Throws AppError QuotaExceededError when refused.
     */
    admit(principal: Principal, endpointGroup: string): Promise<void>;
  };
  ingest: {
    /**
     * Streams a body into staging while computing md5, sha1 and sha256. Throws AppError
     * PayloadTooLargeError (nothing left behind) past maxBytes, BadRequestError when empty.
     */
    receive(body: Readable, options: { maxBytes: number }): Promise<ReceivedUpload>;
    /** Drops a received upload that will not be accepted. */
    discard(upload: ReceivedUpload): Promise<void>;
  };
  files: {
    /**
     * Accepts a received upload: stores it, records the submission, queues an analysis. With a
     * password and a ZIP, the files inside are submitted instead (the first one's analysis is
     * returned) and the ZIP is not kept; see docs/architecture.md.
     */
    submit(upload: ReceivedUpload, options: { principal: Principal; name?: string; password?: string }): Promise<{ analysisId: string }>;
    /** md5, sha1 or sha256; throws InvalidArgumentError for a malformed hash, NotFoundError when unknown. */
    get(hash: string, principal: Principal): Promise<FileRecord>;
    reanalyse(hash: string, principal: Principal): Promise<{ analysisId: string }>;
    /** Admin only (ForbiddenError otherwise). */
    download(hash: string, principal: Principal): Promise<{ stream: Readable; size: number; sha256: string }>;
    listAnalyses(hash: string, principal: Principal, options: { limit: number; cursor?: string }): Promise<Page<AnalysisRecord>>;
  };
  analyses: {
    /** Throws NotFoundError. `file` is the analysed file, for meta.file_info and /item. */
    get(id: string, principal: Principal): Promise<{ analysis: AnalysisRecord; file: FileRecord }>;
  };
  uploads: {
    /** A single-use token for GET /files/upload_url. */
    createToken(principal: Principal): Promise<{ token: string; expiresAt: number }>;
    /** Consumes a token; throws NotFoundError when unknown, used or expired. Returns its owner. */
    consumeToken(token: string): Promise<Principal>;
  };
  plugins: {
    list(): PluginStatus[];
  };
  health: {
    ready(): boolean;
  };
}
